package ai.llep.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * Clipping by the global L2 norm of all gradients, as {@code torch.nn.utils.clip_grad_norm_} does,
 * over parameters spread across ranks. Each rank reports the squared norm of its parameter groups;
 * replicated groups (dense weights, identical on every rank after their all-reduce) count once, and
 * sharded groups (each rank's own experts) are summed across ranks.
 *
 * <pre>
 *   norm   = sqrt(replicated + sumAcrossRanks(sharded))
 *   factor = min(1, maxNorm / (norm + 1e-6))
 *   g     *= factor
 * </pre>
 */
public final class GradClipper {
  /** Added to the norm before dividing, as PyTorch does, so a zero norm needs no special case. */
  static final double NORM_EPS = 1e-6;

  private GradClipper() {}

  /** Whether a group's parameters are the same on every rank or split between the ranks. */
  public enum Placement {
    REPLICATED,
    SHARDED
  }

  /**
   * The squared L2 norm of one group of this rank's gradients. NaN and infinity are allowed: they
   * must reach every rank through {@link #globalSquaredNorm}, so that all ranks see a non-finite
   * norm at the same step, rather than stop this rank alone.
   */
  public record GroupNorm(String group, double squaredNorm, Placement placement) {
    public GroupNorm {
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(placement, "placement");
      if (squaredNorm < 0) {
        throw new IllegalArgumentException(
            "squared norm of group " + group + " must be >= 0, got " + squaredNorm);
      }
    }
  }

  /**
   * The sum of squares of all elements of {@code gradients}: each gradient's L2 norm, taken in at
   * least float32 (a bfloat16 or float16 gradient is widened first: its norm would round to 16 bits
   * and its squares could overflow float16) in one pass over it, squared and summed in float64.
   * NOTE: one device-to-host copy at the end.
   */
  @SuppressWarnings("try") // grad mode and the scope act by being open, not through calls
  public static double squaredNorm(List<NDArray> gradients) {
    if (gradients.isEmpty()) {
      return 0;
    }
    try (GradMode off = GradMode.disabled();
        NDScope scope = new NDScope()) {
      NDArray total = null;
      for (NDArray gradient : gradients) {
        NDArray wide =
            Aten.dtype(gradient).getNumOfBytes() < 4
                ? Aten.cast(gradient, DataType.FLOAT32)
                : gradient;
        NDArray norm = wide.norm().toType(DataType.FLOAT64, false);
        NDArray squared = norm.mul(norm);
        total = total == null ? squared : total.add(squared);
      }
      return total.toDevice(Device.cpu(), false).getDouble();
    }
  }

  /**
   * The squared global norm over all ranks. Calls {@code sumAcrossRanks} exactly once on every rank
   * (it is a collective), also when this rank has no sharded group.
   */
  public static double globalSquaredNorm(
      List<GroupNorm> groups, DoubleUnaryOperator sumAcrossRanks) {
    double replicated = 0;
    double sharded = 0;
    for (GroupNorm group : groups) {
      if (group.placement() == Placement.REPLICATED) {
        replicated += group.squaredNorm();
      } else {
        sharded += group.squaredNorm();
      }
    }
    return replicated + sumAcrossRanks.applyAsDouble(sharded);
  }

  /**
   * The factor to scale gradients by so that their global norm is at most {@code maxNorm}: 1 when
   * it already is.
   *
   * @throws IllegalArgumentException if the norm is NaN or infinite (the step should be skipped)
   */
  public static double clipFactor(double totalSquaredNorm, double maxNorm) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("max gradient norm must be > 0, got " + maxNorm);
    }
    if (!(totalSquaredNorm >= 0) || Double.isInfinite(totalSquaredNorm)) {
      throw new IllegalArgumentException(
          "global gradient norm is not finite (squared norm " + totalSquaredNorm + ")");
    }
    return Math.min(1.0, maxNorm / (Math.sqrt(totalSquaredNorm) + NORM_EPS));
  }

  /**
   * Scales every gradient by {@code factor} in place; nothing happens for a factor of 1. The arrays
   * must be the gradients the optimizer reads (for autograd gradients, the handles {@code
   * getGradient()} returns share the parameter's gradient storage).
   */
  @SuppressWarnings("try") // grad mode and the scope act by being open, not through calls
  public static void apply(List<NDArray> gradients, double factor) {
    if (!(factor > 0 && factor <= 1)) {
      throw new IllegalArgumentException("clip factor must be in (0, 1], got " + factor);
    }
    if (factor == 1 || gradients.isEmpty()) {
      return;
    }
    try (GradMode off = GradMode.disabled();
        NDArray scalar =
            Scalars.onDevice(factor, DataType.FLOAT64, gradients.getFirst().getDevice())) {
      for (NDArray gradient : gradients) {
        gradient.muli(scalar);
      }
    }
  }
}
