package ai.llep.tape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * A piece of a forward pass that {@link DistributedTape#checkpoint} runs twice: once without
 * autograd in the forward, and again with autograd in the backward. Both runs must compute the same
 * function of the same inputs (a router's choices, for one, are kept from the first run rather than
 * chosen again), and every rank must run the same collectives in them.
 */
@FunctionalInterface
public interface Recomputable {
  /**
   * @param tape the tape to communicate through: one that records nothing in the forward, a fresh
   *     training tape in the recompute
   * @param inputs views of the checkpoint's inputs under a manager that lives as long as this run:
   *     what is computed from them is freed with it
   */
  NDArray forward(DistributedTape tape, NDList inputs);
}
