package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.models.hf.TensorSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the tensors one rank holds from a {@link TensorSource}: every name, shape and stored type
 * is checked before the first byte is read, so a wrong checkpoint fails fast with the tensors it
 * lacks; each tensor read is checked for NaN and infinite values on its device ({@link
 * FiniteValues}).
 */
final class WeightLoader {
  private static final int LISTED = 5;

  private WeightLoader() {}

  /** Reads {@code specs} into {@code manager} as trainable parameters of {@code type}. */
  static List<Parameter> read(
      List<TensorSpec> specs, TensorSource source, DataType type, NDManager manager) {
    check(specs, source);
    List<Parameter> parameters = new ArrayList<>(specs.size());
    for (TensorSpec spec : specs) {
      NDArray array = source.read(spec.name(), manager, type);
      if (!array.getShape().equals(spec.shape()) || Aten.dtype(array) != type) {
        throw new IllegalStateException(
            "tensor "
                + spec.name()
                + " was read as "
                + array.getShape()
                + " "
                + Aten.dtype(array)
                + ", expected "
                + spec.shape()
                + " "
                + type);
      }
      try {
        FiniteValues.require(spec.name(), array);
      } catch (IllegalArgumentException e) {
        array.close();
        throw e;
      }
      array.attach(manager);
      array.setRequiresGradient(true);
      parameters.add(new Parameter(spec.name(), spec.kind(), spec.layer(), spec.expert(), array));
    }
    return parameters;
  }

  private static void check(List<TensorSpec> specs, TensorSource source) {
    Set<String> available = source.names();
    List<String> missing = new ArrayList<>();
    for (TensorSpec spec : specs) {
      if (!available.contains(spec.name())) {
        missing.add(spec.name());
        continue;
      }
      source
          .integerStorage(spec.name())
          .ifPresent(
              type -> {
                throw new IllegalArgumentException(
                    "tensor "
                        + spec.name()
                        + " is stored as "
                        + type
                        + ", an integer type, but it is a floating-point weight");
              });
      Shape stored = source.shape(spec.name());
      if (!stored.equals(spec.shape())) {
        throw new IllegalArgumentException(
            "tensor "
                + spec.name()
                + " has shape "
                + stored
                + " in the checkpoint, but the config"
                + " needs "
                + spec.shape());
      }
    }
    if (!missing.isEmpty()) {
      String listed = String.join(", ", missing.subList(0, Math.min(LISTED, missing.size())));
      throw new IllegalArgumentException(
          "the checkpoint lacks "
              + missing.size()
              + " tensor(s) the config needs: "
              + listed
              + (missing.size() > LISTED ? ", ..." : ""));
    }
  }
}
