package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;

/** How the dispatcher runs the GEMMs of the experts a rank computes in one forward. */
public enum ExpertGemm {
  /**
   * {@link #GROUPED} where libtorch's grouped GEMM has its fast kernel (bfloat16 on a CUDA device
   * of compute capability 9.x or 10.x, libtorch 2.8 or later, 16-byte aligned rows), {@link
   * #BATCHED} elsewhere.
   */
  AUTO,
  /**
   * Small native experts that are neighbours in the stack run as one batched GEMM chain each,
   * padded ({@link ExpertBatching}); every other expert runs alone, borrowed ones once their
   * weights have arrived.
   */
  BATCHED,
  /**
   * Every expert the rank computes, native and borrowed, in one grouped call per projection ({@link
   * ExpertGroup.Layout#GROUPED}): {@code aten::_grouped_mm} on a CUDA device, one GEMM per expert's
   * rows on the CPU (libtorch 2.7.1 has no grouped GEMM).
   */
  GROUPED;

  /** Whether rows like {@code x_TD} and experts {@code natives} run as one grouped call. */
  public boolean groups(NDArray x_TD, ExpertStack natives) {
    return this == GROUPED || (this == AUTO && GroupedGemm.fast(x_TD, natives));
  }
}
