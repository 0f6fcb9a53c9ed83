package ai.llep.aten;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * DJL tensors and libtorch handles, and the one place that corrects DJL's dtype cache.
 *
 * <p>Why this reaches into DJL: {@code PtNDArray.getDataType()} asks DJL's JNI once and caches the
 * answer in the private field {@code dataType}; DJL 0.36's JNI names no bfloat16 and answers {@code
 * UNKNOWN} (0 bytes per element) for it, although DJL's own {@link DataType} has {@code BFLOAT16}.
 * This class asks libtorch instead ({@code aoti_torch_get_dtype}) and stores the true type in that
 * field, so every later {@code getDataType()} (ours and DJL's) sees it. The field is reached by
 * reflection, once, so a DJL upgrade that renames it breaks this file only.
 *
 * <p>An honest {@code BFLOAT16} does not make DJL's JNI accept bfloat16: see {@link Aten} for the
 * DJL calls that abort the JVM on a bfloat16 tensor and their replacements.
 */
public final class DjlTensors {
  private static final VarHandle DATA_TYPE;

  static {
    try {
      DATA_TYPE =
          MethodHandles.privateLookupIn(PtNDArray.class, MethodHandles.lookup())
              .findVarHandle(PtNDArray.class, "dataType", DataType.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(
          "this DJL version has no PtNDArray.dataType field as 0.36 has: " + e);
    }
  }

  private DjlTensors() {}

  /**
   * {@code x}'s element type as libtorch knows it; also corrects DJL's cached {@code UNKNOWN} (for
   * bfloat16 and the unsigned and 16-bit integer types) so later {@code x.getDataType()} agrees.
   * Costs one native call only when DJL does not know the type.
   */
  public static DataType dtype(NDArray x) {
    DataType cached = x.getDataType();
    if (cached != DataType.UNKNOWN) {
      return cached;
    }
    PtNDArray pt = pt(x);
    ScalarType actual = ScalarType.ofCode(LibTorch.get().dtypeOf(pt.getHandle()));
    if (actual == null) {
      return DataType.UNKNOWN;
    }
    DATA_TYPE.set(pt, actual.djl);
    return actual.djl;
  }

  /** Re-reads {@code x}'s dtype from libtorch into DJL's cache, after its data was replaced. */
  static void refreshDtype(NDArray x) {
    PtNDArray pt = pt(x);
    ScalarType actual = ScalarType.ofCode(LibTorch.get().dtypeOf(pt.getHandle()));
    DATA_TYPE.set(pt, actual == null ? DataType.UNKNOWN : actual.djl);
  }

  /** libtorch's handle of {@code x} (a {@code torch::Tensor*}), valid while {@code x} is open. */
  public static long handle(NDArray x) {
    PtNDArray pt = pt(x);
    if (pt.isReleased()) {
      throw new IllegalStateException("the tensor is closed");
    }
    return pt.getHandle();
  }

  /**
   * Wraps a new owning handle as a DJL tensor attached to {@code manager}, which frees it, with its
   * dtype read from libtorch. Throws only when the tensor could not be attached (the handle is then
   * still the caller's).
   */
  static NDArray wrap(NDManager manager, long handle) {
    if (!(manager instanceof PtNDManager ptManager)) {
      throw new IllegalArgumentException(
          "results need a PyTorch-engine manager, got " + manager.getClass().getName());
    }
    PtNDArray array = new PtNDArray(ptManager, handle);
    try {
      ScalarType type = ScalarType.ofCode(LibTorch.get().dtypeOf(handle));
      if (type != null) {
        DATA_TYPE.set(array, type.djl);
      }
    } catch (RuntimeException e) {
      // An undefined tensor (an unused output) has no dtype; DJL's own answer stands.
    }
    return array;
  }

  static PtNDArray pt(NDArray x) {
    if (!(x instanceof PtNDArray pt)) {
      throw new IllegalArgumentException(
          "only PyTorch-engine tensors have a libtorch handle, got " + x.getClass().getName());
    }
    return pt;
  }
}
