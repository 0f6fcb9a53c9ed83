package ai.llep.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Map;

/**
 * What the training loop and checkpoints ask of an optimizer: {@link AdamW}, every rank holding the
 * state of all its parameters, or {@link ShardedAdamW} (ZeRO-1), the replicated parameters' state
 * split between the ranks.
 */
public sealed interface Optimizer extends AutoCloseable permits AdamW, ShardedAdamW {
  /**
   * One update with the given gradients, one per parameter name, each of its parameter's shape. The
   * gradients stay the caller's. Collective for a sharded optimizer.
   */
  void step(double lr, Map<String, NDArray> gradients);

  /** Steps taken so far (restored by {@link #importState}). */
  long stepCount();

  /** Copies of the step count and of the moments this rank holds, owned by {@code manager}. */
  AdamWState exportState(NDManager manager);

  /** Replaces the step count and moments with copies of {@code state}'s (as exported). */
  void importState(AdamWState state);

  /** Bytes of moments this rank holds, by parameter name (only parameters it holds state of). */
  Map<String, Long> stateBytes();

  @Override
  void close();
}
