package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;

/**
 * A trainable addition to a frozen {@link Linear} (a LoRA adapter): its output is added to the
 * projection's.
 */
public interface LinearAdapter {
  /** {@code x_TI} [..., in] to the addition [..., out], in {@code x_TI}'s type. */
  NDArray forward(NDArray x_TI);
}
