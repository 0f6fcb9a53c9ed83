package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * What an expert computes, handed to the dispatcher by the model (torchtitan's split of token
 * dispatcher and grouped experts): the dispatcher moves rows and weights between ranks and knows
 * nothing of the math; the function knows nothing of ranks.
 *
 * <p>An expert is a fixed list of tensors, the same shapes for every expert of a layer ({@link
 * #expertShapes}); a rank holds its own experts stacked ({@link ExpertStack}, tensor i of all of
 * them as one [M, ...] tensor). The list is also the transfer order: when LLEP spills an expert,
 * its owner lends these tensors to the helper, which receives them with the declared shapes and
 * sends their gradients back in the backward (the distributed tape); the dispatcher never looks
 * inside them.
 */
public interface ExpertFunction {
  /** The shapes of one expert's tensors, in transfer order (each stacked tensor is [M, shape]). */
  List<Shape> expertShapes();

  /**
   * The output rows of {@code group}, [rows, D] in the group's layout ({@link ExpertGroup#input()}
   * gives the input in that layout). Build it from the group's projections ({@link
   * ExpertGroup#linear}, {@link ExpertGroup#matmul}) and element-wise operations, which work in
   * every layout: the group then runs each projection as one grouped GEMM, one batched GEMM or one
   * plain GEMM, whichever its layout calls for.
   */
  NDArray forward(ExpertGroup group);

  /**
   * Whether tensor {@code i} (transfer order) is frozen: it never trains, so a helper that borrows
   * it computes no gradient for it and returns none to its owner, and may keep it across steps (the
   * frozen base of a LoRA expert; its adapters train). None is by default.
   */
  default boolean frozen(int i) {
    return false;
  }
}
