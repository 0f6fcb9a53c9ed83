package ai.llep.aten;

import static ai.llep.aten.AtenTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;
import org.junit.jupiter.api.Test;

/** Scaled-dot-product attention against the same attention written in plain DJL float32 math. */
class AtenAttentionTest {
  private static final int B = 2;
  private static final int H = 4;
  private static final int L = 5;
  private static final int C = 8;
  private static final double SCALE = 0.3;

  @Test
  void causalAttentionMatchesPlainMathInValuesAndGradients() {
    compare(L, 0, null);
  }

  @Test
  void aBlockDiagonalCausalMaskKeepsExamplesApart() {
    compare(L, 0, new int[] {2, 3});
  }

  @Test
  void fewerKeyValueHeadsServeConsecutiveQueryHeads() {
    compare(L, 2, new int[] {3, 2});
  }

  /**
   * @param kvHeads 0 for as many as the queries have
   * @param segments null for plain causal attention, else the lengths of the examples in each row
   */
  private void compare(int length, int kvHeads, int[] segments) {
    int g = kvHeads == 0 ? H : kvHeads;
    try (NDManager m = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled()) {
      m.getEngine().setRandomSeed(7);
      NDArray q = m.randomNormal(new Shape(B, H, length, C));
      NDArray k = m.randomNormal(new Shape(B, g, length, C));
      NDArray v = m.randomNormal(new Shape(B, g, length, C));
      NDArray upstream = m.randomNormal(new Shape(B, H, length, C));
      boolean[] allowed = allowed(length, segments);
      NDArray mask = segments == null ? null : m.create(allowed, new Shape(length, length));

      Run fused =
          run(
              q,
              k,
              v,
              upstream,
              (a, b, c) ->
                  Aten.scaledDotProductAttention(a, b, c, mask, segments == null, SCALE, g != H));
      Run plain = run(q, k, v, upstream, (a, b, c) -> plain(a, b, c, allowed, length, g));

      assertClose(plain.out, fused.out, 1e-5, "output");
      assertClose(plain.dq, fused.dq, 1e-5, "dq");
      assertClose(plain.dk, fused.dk, 1e-5, "dk");
      assertClose(plain.dv, fused.dv, 1e-5, "dv");
      assertEquals(DataType.FLOAT32, Aten.dtype(q));
    }
  }

  private interface Attend {
    NDArray apply(NDArray q, NDArray k, NDArray v);
  }

  private record Run(float[] out, float[] dq, float[] dk, float[] dv) {}

  private static Run run(NDArray q0, NDArray k0, NDArray v0, NDArray upstream, Attend attend) {
    NDArray q = q0.duplicate();
    NDArray k = k0.duplicate();
    NDArray v = v0.duplicate();
    q.setRequiresGradient(true);
    k.setRequiresGradient(true);
    v.setRequiresGradient(true);
    NDArray out = attend.apply(q, k, v);
    AtenTesting.backward(out, upstream);
    return new Run(
        out.toFloatArray(),
        AtenTesting.gradient(q),
        AtenTesting.gradient(k),
        AtenTesting.gradient(v));
  }

  private static NDArray plain(
      NDArray q, NDArray k, NDArray v, boolean[] allowed, int length, int kvHeads) {
    NDManager m = q.getManager();
    if (kvHeads != H) {
      int groups = H / kvHeads;
      Shape wide = new Shape(B, kvHeads, groups, length, C);
      k = k.expandDims(2).broadcast(wide).reshape(B, H, length, C);
      v = v.expandDims(2).broadcast(wide).reshape(B, H, length, C);
    }
    float[] additive = new float[allowed.length];
    for (int i = 0; i < additive.length; i++) {
      additive[i] = allowed[i] ? 0f : Float.NEGATIVE_INFINITY;
    }
    NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), SCALE);
    scores = scores.add(m.create(additive, new Shape(length, length)));
    return scores.softmax(3).matMul(v);
  }

  /** Position l attends to s when s <= l and both lie in the same segment. */
  private static boolean[] allowed(int length, int[] segments) {
    int[] segmentOf = new int[length];
    if (segments != null) {
      int position = 0;
      for (int i = 0; i < segments.length; i++) {
        for (int j = 0; j < segments[i]; j++) {
          segmentOf[position++] = i;
        }
      }
    }
    boolean[] allowed = new boolean[length * length];
    for (int l = 0; l < length; l++) {
      for (int s = 0; s <= l; s++) {
        allowed[l * length + s] = segmentOf[l] == segmentOf[s];
      }
    }
    return allowed;
  }
}
