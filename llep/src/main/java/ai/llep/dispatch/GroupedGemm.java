package ai.llep.dispatch;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.AbiVersion;
import ai.llep.aten.Aten;
import ai.llep.device.CudaRuntime;
import java.util.HashMap;
import java.util.Map;

/**
 * The grouped GEMM of {@link ExpertGroup.Layout#GROUPED}: rows [G, K] in expert order times each
 * expert's [K, N] matrix of a stacked [E, K, N], as {@code torch._grouped_mm} computes it.
 *
 * <p>{@code aten::_grouped_mm(a [G, K], b [E, K, N], offs)} (libtorch 2.8 and later): {@code offs}
 * is int32 [E] on the rows' device, the cumulative end row of each expert (an expert without rows
 * repeats the previous end; rows past the last end are left unwritten, so here the last end is
 * always G). Each matrix must be row- or column-major in its last two dimensions with the leading
 * stride a multiple of 16 bytes and its data 16-byte aligned on the GPU, so a [E, N, K] stack
 * passes as its transposed view with no copy. Only bfloat16 on compute capability 9.x and 10.x runs
 * libtorch's CUTLASS kernel; other types and devices fall back to a loop of GEMMs that copies
 * {@code offs} to the host (a device sync). Its backward is two more grouped GEMMs (the weights'
 * gradient with the contraction over each expert's rows, which is zero for an expert without rows).
 * On the CPU this class runs one GEMM per expert's rows instead: libtorch 2.7.1 has no {@code
 * _grouped_mm}, and later CPU builds only loop too.
 *
 * <p>Seen on one H200 with torch 2.11 (from Python, the calls this class makes): bfloat16 with a
 * [E, F, D] stack's transposed view and experts without rows first, in the middle and last, within
 * bfloat16 rounding (3e-3) of float32 per-expert products, forward and both gradients, a zero
 * weight gradient for each expert without rows and a contiguous output; float32 (the fallback)
 * equal to them.
 */
final class GroupedGemm {
  private static final AbiVersion FIRST_WITH_GROUPED_MM = new AbiVersion(2, 8, 0);
  private static final Map<Integer, Integer> CAPABILITY = new HashMap<>();

  private GroupedGemm() {}

  /** {@code x_GK} times {@code w_EKN} per expert, expert e on {@code rows_E[e]} rows. */
  static NDArray multiply(NDArray x_GK, NDArray w_EKN, long[] rows_E, NDArray offsets_E) {
    if (x_GK.getDevice().isGpu()) {
      return Aten.groupedMm(x_GK, w_EKN, offsets_E, null);
    }
    NDList products = new NDList();
    long start = 0;
    long[] starts = new long[rows_E.length];
    for (int e = 0; e < rows_E.length; e++) {
      starts[e] = start;
      start += rows_E[e];
    }
    NDArray[] slices = RowRanges.of(x_GK, starts, rows_E);
    for (int e = 0; e < rows_E.length; e++) {
      if (rows_E[e] > 0) {
        products.add(slices[e].matMul(w_EKN.get(e)));
      }
    }
    if (products.isEmpty()) {
      return x_GK.matMul(w_EKN.get(0));
    }
    return products.size() == 1 ? products.getFirst() : NDArrays.concat(products, 0);
  }

  /**
   * Whether {@link ExpertGemm#AUTO} takes the grouped path for rows {@code x_TD} and experts {@code
   * natives}: bfloat16 on a GPU whose libtorch has the fast kernel, with every dimension a GEMM
   * sees (D and each stacked matrix's last two) a multiple of 16 bytes.
   */
  static boolean fast(NDArray x_TD, ExpertStack natives) {
    Device device = x_TD.getDevice();
    if (!device.isGpu() || Aten.dtype(x_TD) != DataType.BFLOAT16) {
      return false;
    }
    int perRow = 16 / DataType.BFLOAT16.getNumOfBytes();
    Shape rows = x_TD.getShape();
    if (rows.get(rows.dimension() - 1) % perRow != 0) {
      return false;
    }
    for (NDArray tensor : natives.tensors()) {
      Shape shape = tensor.getShape();
      if (Aten.dtype(tensor) != DataType.BFLOAT16) {
        return false;
      }
      int dims = shape.dimension();
      if (dims >= 3 && (shape.get(dims - 1) % perRow != 0 || shape.get(dims - 2) % perRow != 0)) {
        return false;
      }
    }
    if (!Aten.libtorchVersion().atLeast(FIRST_WITH_GROUPED_MM)) {
      return false;
    }
    int capability = capability(device.getDeviceId());
    return capability >= 90 && capability < 110;
  }

  private static synchronized int capability(int device) {
    return CAPABILITY.computeIfAbsent(device, d -> CudaRuntime.load().computeCapability(d));
  }
}
