package ai.llep.trainer.optim;

import ai.djl.ndarray.NDArray;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The state of an {@link AdamW} optimizer for a checkpoint: the number of steps taken and, for each
 * parameter {@code p}, the first moment {@code p.exp_avg} and the second moment {@code
 * p.exp_avg_sq} (the names {@code torch.optim.AdamW} uses), sorted by name. The arrays belong to
 * whoever exported or loaded them.
 */
public record AdamWState(long step, Map<String, NDArray> tensors) {
  public static final String FIRST_MOMENT = ".exp_avg";
  public static final String SECOND_MOMENT = ".exp_avg_sq";

  public AdamWState {
    if (step < 0) {
      throw new IllegalArgumentException("optimizer step must be >= 0, got " + step);
    }
    tensors =
        Collections.unmodifiableSortedMap(
            new TreeMap<>(Objects.requireNonNull(tensors, "tensors")));
  }
}
