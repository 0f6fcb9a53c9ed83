package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.llep.tape.GradMode;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Finds NaN and infinite values in tensors, on their device. The quick test is one sum per tensor,
 * the sums of each dtype stacked and added up, in float64, and read with one device-to-host copy: a
 * non-finite element makes the total non-finite. Only then (rare) is each tensor counted element by
 * element, which also clears a total that merely overflowed (float16 sums of finite values can).
 */
public final class FiniteValues {
  private FiniteValues() {}

  /**
   * The index of the first of {@code arrays} that holds a NaN or infinite value, or -1. Integer
   * arrays count as finite. NOTE: one device-to-host copy when all are finite.
   */
  @SuppressWarnings("try") // grad mode and the scope act by being open, not through calls
  public static int firstNonFinite(List<NDArray> arrays) {
    try (GradMode off = GradMode.disabled();
        NDScope scope = new NDScope()) {
      Map<DataType, NDList> sums = new EnumMap<>(DataType.class);
      for (NDArray array : arrays) {
        if (!array.getDataType().isFloating() || array.isEmpty()) {
          continue;
        }
        NDArray sum = array.sum();
        sums.computeIfAbsent(sum.getDataType(), type -> new NDList()).add(sum);
      }
      NDArray total = null;
      for (NDList group : sums.values()) {
        NDArray stacked = group.size() == 1 ? group.getFirst() : NDArrays.stack(group);
        NDArray sum = stacked.sum().toType(DataType.FLOAT64, false);
        total = total == null ? sum : total.add(sum);
      }
      if (total == null || Double.isFinite(total.getDouble())) {
        return -1;
      }
      for (int i = 0; i < arrays.size(); i++) {
        if (count(arrays.get(i)) > 0) {
          return i;
        }
      }
      return -1;
    }
  }

  /** The number of NaN and infinite elements of {@code array}. NOTE: one device-to-host copy. */
  @SuppressWarnings("try") // grad mode and the scope act by being open, not through calls
  public static long count(NDArray array) {
    if (!array.getDataType().isFloating() || array.isEmpty()) {
      return 0;
    }
    try (GradMode off = GradMode.disabled();
        NDScope scope = new NDScope()) {
      NDArray bad = array.isNaN().logicalOr(array.isInfinite());
      return bad.toType(DataType.INT64, false).sum().getLong();
    }
  }

  /**
   * Fails naming {@code name} when {@code array} holds a NaN or infinite value.
   *
   * @throws IllegalArgumentException "tensor X holds N non-finite (NaN or infinite) values"
   */
  public static void require(String name, NDArray array) {
    if (firstNonFinite(List.of(array)) < 0) {
      return;
    }
    throw new IllegalArgumentException(
        "tensor " + name + " holds " + count(array) + " non-finite (NaN or infinite) values");
  }
}
