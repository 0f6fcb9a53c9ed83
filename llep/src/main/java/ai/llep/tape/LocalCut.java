package ai.llep.tape;

import ai.djl.ndarray.NDArray;

/** A cut inside one rank: the gradient is handed over unchanged. */
record LocalCut(NDArray send, NDArray recv) implements TapeEdge {
  @Override
  public void propagate() {
    try (NDArray gradient = Gradients.gradientOf(recv)) {
      Gradients.backward(send, gradient);
    }
  }
}
