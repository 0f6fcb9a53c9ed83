package ai.llep.trainer.bench;

import java.util.Locale;

/** What one timed run of the layer does. */
public enum BenchPass {
  /** The forward pass, without recording a graph. */
  FORWARD,
  /** Forward and the distributed backward, gradients returned to the owners of lent weights. */
  FORWARD_BACKWARD;

  /** The config spelling: {@code forward}, {@code forward-backward}. */
  public String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
