package ai.llep.aten;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.StringJoiner;

/** Arguments as error messages show them: tensors as shape, dtype and device. */
final class ArgumentText {
  private ArgumentText() {}

  static String describe(AtenOp op, Object[] values) {
    StringJoiner out = new StringJoiner(", ");
    for (int i = 0; i < values.length; i++) {
      out.add(op.arguments().get(i).name() + "=" + value(values[i]));
    }
    return out.toString();
  }

  static String value(Object v) {
    return switch (v) {
      case null -> "None";
      case NDArray x -> tensor(x);
      case long[] ints -> java.util.Arrays.toString(ints);
      case List<?> xs -> xs.stream().map(ArgumentText::value).toList().toString();
      default -> v.toString();
    };
  }

  static String tensor(NDArray x) {
    try {
      if (x.isReleased()) {
        return "Tensor(closed)";
      }
      return "Tensor" + x.getShape() + " " + DjlTensors.dtype(x) + " " + x.getDevice();
    } catch (RuntimeException e) {
      return "Tensor(unreadable: " + e.getMessage() + ")";
    }
  }
}
