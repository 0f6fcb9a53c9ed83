package ai.llep.tape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;

/**
 * A segment that kept only its inputs and its output in the forward. The backward runs it again
 * with autograd (through a tape of its own, whose cuts it then walks, so every rank communicates in
 * the same order), back-propagates the output's gradient through it into the inputs, and frees what
 * the recompute made.
 */
record RecomputeEdge(Communicator comm, NDList inputs, Recomputable segment, NDArray output)
    implements TapeEdge {
  @Override
  public void propagate() {
    try (NDManager scope = inputs.head().getManager().newSubManager();
        GradMode grad = GradMode.enabled()) {
      DistributedTape inner = DistributedTape.training(comm);
      NDArray recomputed = segment.forward(inner, DistributedTape.viewsIn(inputs, scope));
      NDArray gradient = Gradients.gradientOf(output);
      gradient.attach(scope);
      inner.backward(recomputed, gradient);
    }
  }
}
