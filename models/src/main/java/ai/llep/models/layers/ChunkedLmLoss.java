package ai.llep.models.layers;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.device.HostUpload;
import ai.llep.tape.GradMode;

/**
 * The LM head and {@link CausalLmLoss}'s cross-entropy computed from the final hidden states a
 * chunk of tokens at a time, so that no vocabulary-sized logits tensor for the whole batch exists:
 * at most one chunk's logits ({@code [chunk, V]}, in at least float32) and its softmax live at
 * once. The products run in the hidden states' type (bfloat16 in mixed precision, with a bfloat16
 * copy of the head made once per call); the softmax, the loss and the head's gradient sum are
 * float32, and the head parameter receives that float32 gradient directly. On a GPU with {@code
 * mm.dtype} the bfloat16 logits are never rounded: their GEMM writes float32.
 *
 * <p>DJL has no custom autograd functions, and letting autograd record each chunk would keep every
 * chunk's softmax for the backward. So each chunk's gradients are computed right away, outside the
 * graph, with the cross-entropy's closed form: for {@code z = h W^T} and weight w (1 where the
 * position predicts a label), {@code dz = w (softmax(z) - onehot(label))}, {@code dh = dz W},
 * {@code dW += dz^T h}. The loss then enters the graph as {@code value + s - detach(s)} with {@code
 * s = <h, dh> + <W, dW>}: its value is the loss, and its gradient with respect to h and W is
 * exactly dh and dW (s is linear in both), scaled by whatever gradient reaches the loss. Chunks in
 * which no position predicts a label cost nothing. NOTE: the gradients are computed in the forward
 * pass (when autograd is recording), so an evaluation should run with autograd off.
 */
public final class ChunkedLmLoss {
  /** The default bound on one chunk's float32 logits. */
  public static final long DEFAULT_CHUNK_BYTES = 768L << 20;

  private ChunkedLmLoss() {}

  /**
   * Tokens per chunk so that a chunk's float32 logits take at most {@link #DEFAULT_CHUNK_BYTES}.
   */
  public static int defaultChunkTokens(long vocab) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, DEFAULT_CHUNK_BYTES / (4 * vocab)));
  }

  /**
   * @param h_TD the final hidden states (after the final norm), T = B * S tokens row after row
   * @param head_VD the LM head's weight (a model parameter, [V, D]; the embedding when tied)
   * @param labels_BS the (unshifted) labels
   * @param chunkTokens tokens per chunk, >= 1
   */
  public static LossSum sum(
      NDArray h_TD, NDArray head_VD, int[][] labels_BS, Segments segments, int chunkTokens) {
    if (chunkTokens < 1) {
      throw new IllegalArgumentException("chunk tokens must be >= 1, got " + chunkTokens);
    }
    Shape hShape = h_TD.getShape();
    long vocab = head_VD.getShape().get(0);
    int tokens = segments.batch() * segments.seq();
    if (hShape.dimension() != 2
        || hShape.get(0) != tokens
        || hShape.get(1) != head_VD.getShape().get(1)) {
      throw new IllegalArgumentException(
          "hidden states "
              + hShape
              + " do not fit "
              + tokens
              + " tokens and head "
              + head_VD.getShape());
    }
    NextTokenTargets targets = NextTokenTargets.of(labels_BS, segments, vocab);
    NDManager manager = h_TD.getManager();
    NDArray w_VD = StepView.of(head_VD, manager);
    DataType compute = Aten.dtype(h_TD);
    boolean withGradients = GradMode.isEnabled();
    Chunks chunks = new Chunks(manager, targets, withGradients);
    try (GradMode off = GradMode.disabled();
        NDManager loop = manager.newSubManager()) {
      NDArray h = h_TD.stopGradient();
      NDArray w = Upcast.restore(w_VD.stopGradient(), compute);
      w.attach(loop);
      for (int start = 0; start < tokens; start += chunkTokens) {
        chunks.add(h, w, start, Math.min(tokens, start + chunkTokens));
      }
    }
    NDArray value = chunks.loss();
    if (!withGradients) {
      return new LossSum(value, targets.count());
    }
    NDArray surrogate = flat(h_TD).dot(flat(chunks.dh(hShape, compute, h_TD.getDevice())));
    if (chunks.dw() != null) {
      NDArray dw_VD = Upcast.restore(chunks.dw(), Aten.dtype(w_VD));
      surrogate = surrogate.add(flat(w_VD).dot(flat(dw_VD)));
    }
    return new LossSum(surrogate.sub(surrogate.stopGradient()).add(value), targets.count());
  }

  private static NDArray flat(NDArray x) {
    return x.reshape(-1);
  }

  /** The running loss and gradients over the chunks. */
  private static final class Chunks {
    private final NDManager manager;
    private final NextTokenTargets targets;
    private final boolean withGradients;
    private final NDList dhParts = new NDList();
    private NDArray loss;
    private NDArray dw;

    Chunks(NDManager manager, NextTokenTargets targets, boolean withGradients) {
      this.manager = manager;
      this.targets = targets;
      this.withGradients = withGradients;
    }

    /**
     * One chunk, with {@code h_TD} and the head {@code w_VD} in the compute type: its logits are
     * computed there and widened to float32 for the softmax; its logit gradient goes back to the
     * compute type for the two products of the backward, as autograd would run them; the head's
     * gradient is summed over chunks in at least float32.
     */
    void add(NDArray h_TD, NDArray w_VD, int start, int end) {
      int length = end - start;
      DataType compute = Aten.dtype(h_TD);
      if (!targets.anyIn(start, end)) {
        if (withGradients) {
          Shape shape = new Shape(length, h_TD.getShape().get(1));
          dhParts.add(Aten.zeros(manager, shape, compute, h_TD.getDevice()));
        }
        return;
      }
      try (NDManager scope = manager.newSubManager()) {
        NDArray h_CD = h_TD.get(new NDIndex("{}:{}", start, end));
        h_CD.attach(scope);
        // Each [C, V] array is closed as soon as the next one exists, so that at most two live at
        // once (8 bytes per logit at the peak rather than one array per step).
        NDArray logProbs_CV = replace(logits(h_CD, w_VD), x -> x.logSoftmax(1));
        DataType type = Aten.dtype(logProbs_CV);
        boolean allCounted = targets.allIn(start, end);
        NDArray target_C1 =
            HostUpload.of(scope, slice(targets.target_T(), start, end), new Shape(length, 1));
        NDArray weight_C1 =
            HostUpload.of(scope, slice(targets.weight_T(), start, end), new Shape(length, 1))
                .toType(type, false);
        NDArray picked_C1 = logProbs_CV.gather(target_C1, 1);
        NDArray chunkLoss = (allCounted ? picked_C1 : picked_C1.mul(weight_C1)).sum().neg();
        chunkLoss.attach(manager);
        loss = loss == null ? chunkLoss : loss.add(chunkLoss);
        if (!withGradients) {
          return;
        }
        // In place from here: the log-probabilities become w (softmax - onehot) in their own array.
        NDArray probs_CV = logProbs_CV;
        Aten.expInPlace(probs_CV);
        if (!allCounted) {
          probs_CV.muli(weight_C1);
        }
        Aten.scatterAddInPlace(probs_CV, 1, target_C1, weight_C1.neg());
        NDArray dz_CV = replace(probs_CV, p -> Upcast.restore(p, compute));
        NDArray dh_CD = dz_CV.matMul(w_VD);
        NDArray dw_VD = dz_CV.transpose().matMul(h_CD);
        dz_CV.close();
        dh_CD.attach(manager);
        dhParts.add(dh_CD);
        if (dw == null) {
          dw = Upcast.toFloat32(dw_VD);
          dw.attach(manager);
        } else {
          // In place, each element widened exactly: no float32 copy of the chunk's product.
          dw.addi(dw_VD);
        }
      }
    }

    /**
     * The chunk's logits in at least float32: bfloat16 products on a GPU that has {@code mm} with a
     * float32 result come out of the GEMM's float32 accumulator directly (no bfloat16 logits, no
     * widening pass); elsewhere the product is freed when widened.
     */
    private static NDArray logits(NDArray h_CD, NDArray w_VD) {
      if (Aten.dtype(h_CD) == DataType.BFLOAT16 && Aten.mmToFloat32Supported(h_CD.getDevice())) {
        return Aten.mmToFloat32(h_CD, w_VD.transpose());
      }
      return replace(h_CD.matMul(w_VD.transpose()), Upcast::toFloat32);
    }

    /** {@code step(x)}, with {@code x} closed unless the step returned it. */
    private static NDArray replace(NDArray x, java.util.function.UnaryOperator<NDArray> step) {
      NDArray next = step.apply(x);
      if (next != x) {
        x.close();
      }
      return next;
    }

    NDArray loss() {
      return loss != null ? loss : manager.zeros(new Shape(), DataType.FLOAT32);
    }

    NDArray dh(Shape shape, DataType type, Device device) {
      return dhParts.isEmpty()
          ? Aten.zeros(manager, shape, type, device)
          : NDArrays.concat(dhParts, 0);
    }

    /** The head's gradient, or null when no position predicts a label. */
    NDArray dw() {
      return dw;
    }

    private static long[] slice(long[] values, int start, int end) {
      return java.util.Arrays.copyOfRange(values, start, end);
    }

    private static float[] slice(float[] values, int start, int end) {
      return java.util.Arrays.copyOfRange(values, start, end);
    }
  }
}
