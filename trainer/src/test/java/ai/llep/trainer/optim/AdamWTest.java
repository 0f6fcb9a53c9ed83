package ai.llep.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdamWTest {
  private static final AdamWConfig CONFIG = new AdamWConfig(0.9, 0.99, 1e-8, 0.1);
  private static final double[] LRS = {1e-2, 5e-3, 2e-2, 1e-3};

  private NDManager manager;

  @BeforeEach
  void open() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterEach
  void close() {
    manager.close();
  }

  /** AdamW in plain double arithmetic, one parameter tensor as a flat array. */
  private static final class Reference {
    final double[] p;
    final double[] m;
    final double[] v;
    final boolean decay;
    long t;

    Reference(float[] initial, boolean decay) {
      p = new double[initial.length];
      for (int i = 0; i < p.length; i++) {
        p[i] = initial[i];
      }
      m = new double[p.length];
      v = new double[p.length];
      this.decay = decay;
    }

    void step(double lr, float[] g, AdamWConfig c) {
      t++;
      for (int i = 0; i < p.length; i++) {
        if (decay) {
          p[i] -= lr * c.weightDecay() * p[i];
        }
        m[i] = c.beta1() * m[i] + (1 - c.beta1()) * g[i];
        v[i] = c.beta2() * v[i] + (1 - c.beta2()) * g[i] * g[i];
        double mHat = m[i] / (1 - Math.pow(c.beta1(), t));
        double vHat = v[i] / (1 - Math.pow(c.beta2(), t));
        p[i] -= lr * mHat / (Math.sqrt(vHat) + c.eps());
      }
    }
  }

  private static float[] gradient(int step, int size, int salt) {
    float[] g = new float[size];
    for (int i = 0; i < size; i++) {
      g[i] = (float) (Math.sin(1.3 * (i + 1) * (step + 1) + salt) * (i % 3 == 0 ? 2.5 : 0.3));
    }
    return g;
  }

  private static void assertClose(double[] expected, float[] actual, String label) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      double tolerance = 1e-6 + 1e-5 * Math.abs(expected[i]);
      assertEquals(expected[i], actual[i], tolerance, label + " element " + i);
    }
  }

  @Test
  void matchesTheFormulaWithAndWithoutDecayOverSeveralSteps() {
    float[] w0 = {0.5f, -1.25f, 2f, 0.75f, -0.1f, 3f};
    float[] b0 = {0.2f, -0.4f, 1.5f};
    NDArray w = manager.create(w0, new Shape(2, 3));
    NDArray b = manager.create(b0, new Shape(3));
    List<OptimParam> params = List.of(OptimParam.of("w", w), OptimParam.of("b", b));
    assertTrue(params.get(0).weightDecay());
    assertEquals(false, params.get(1).weightDecay());
    Reference wRef = new Reference(w0, true);
    Reference bRef = new Reference(b0, false);

    try (AdamW adamw = new AdamW(params, CONFIG)) {
      for (int step = 0; step < LRS.length; step++) {
        float[] gw = gradient(step, 6, 0);
        float[] gb = gradient(step, 3, 7);
        try (NDManager scope = manager.newSubManager()) {
          adamw.step(
              LRS[step],
              Map.of("w", scope.create(gw, new Shape(2, 3)), "b", scope.create(gb, new Shape(3))));
        }
        wRef.step(LRS[step], gw, CONFIG);
        bRef.step(LRS[step], gb, CONFIG);
        assertClose(wRef.p, w.toFloatArray(), "w after step " + (step + 1));
        assertClose(bRef.p, b.toFloatArray(), "b after step " + (step + 1));
      }
      assertEquals(LRS.length, adamw.stepCount());
    }
  }

  @Test
  void firstStepMovesEachElementByTheLearningRate() {
    // With bias correction, m_hat / sqrt(v_hat) = g / |g| at t = 1: every element moves by lr.
    NDArray p = manager.create(new float[] {1f, 1f, 1f});
    try (AdamW adamw = new AdamW(List.of(new OptimParam("p", p, false)), CONFIG)) {
      adamw.step(0.1, Map.of("p", manager.create(new float[] {0.5f, -50f, 2f})));
    }
    assertArrayEquals(new float[] {0.9f, 1.1f, 0.9f}, p.toFloatArray(), 1e-6f);
  }

  @Test
  void zeroDecayLeavesDecayingParametersUndecayed() {
    float[] initial = {2f, -3f};
    NDArray p = manager.create(initial, new Shape(1, 2));
    AdamWConfig noDecay = new AdamWConfig(0.8, 0.9, 1e-6, 0);
    Reference ref = new Reference(initial, false);
    try (AdamW adamw = new AdamW(List.of(OptimParam.of("p", p)), noDecay)) {
      for (int step = 0; step < 3; step++) {
        float[] g = gradient(step, 2, 3);
        adamw.step(0.05, Map.of("p", manager.create(g, new Shape(1, 2))));
        ref.step(0.05, g, noDecay);
      }
    }
    assertClose(ref.p, p.toFloatArray(), "p");
  }

  @Test
  void updatesInPlaceAndParametersStayLeavesThatRecordGradients() {
    NDArray p = manager.create(new float[] {1f, 2f, 3f});
    p.setRequiresGradient(true);
    NDArray x = manager.create(new float[] {0.5f, -1f, 4f});
    NDArray ones = manager.create(1f);
    try (AdamW adamw = new AdamW(List.of(OptimParam.of("p", p)), CONFIG)) {
      backward(p, x, ones);
      int arraysBefore = manager.getManagedArrays().size();

      adamw.step(0.1);

      assertEquals(arraysBefore, manager.getManagedArrays().size(), "temporaries were freed");
      assertArrayEquals(new float[] {0.9f, 2.1f, 2.9f}, p.toFloatArray(), 1e-6f);
      assertTrue(p.hasGradient());
      backward(p, x, ones);
      try (NDArray grad = p.getGradient()) {
        assertArrayEquals(new float[] {1f, -2f, 8f}, grad.toFloatArray(), 0f, "accumulated");
      }
    }
  }

  @SuppressWarnings("try") // grad mode acts by being open
  private static void backward(NDArray p, NDArray x, NDArray ones) {
    try (GradMode on = GradMode.enabled();
        NDManager scope = p.getManager().newSubManager()) {
      NDArray loss = p.mul(x).sum();
      loss.attach(scope);
      Gradients.backward(loss, ones);
    }
  }

  @Test
  void exportedStateResumesIdentically() {
    float[] initial = {0.3f, -0.7f, 1.1f, 0.05f};
    NDArray a = manager.create(initial, new Shape(2, 2));
    NDArray b = manager.create(initial, new Shape(2, 2));
    try (AdamW first = new AdamW(List.of(OptimParam.of("w", a)), CONFIG);
        AdamW second = new AdamW(List.of(OptimParam.of("w", b)), CONFIG);
        NDManager saved = manager.newSubManager()) {
      for (int step = 0; step < 2; step++) {
        NDArray g = manager.create(gradient(step, 4, 1), new Shape(2, 2));
        first.step(LRS[step], Map.of("w", g));
        second.step(LRS[step], Map.of("w", g));
      }
      AdamWState state = first.exportState(saved);
      assertEquals(2, state.step());
      NDArray firstMoment = state.tensors().get("w" + AdamWState.FIRST_MOMENT);
      float[] exported = firstMoment.toFloatArray();
      assertSame(saved, firstMoment.getManager());

      NDArray g = manager.create(gradient(2, 4, 1), new Shape(2, 2));
      first.step(LRS[2], Map.of("w", g));
      assertArrayEquals(exported, firstMoment.toFloatArray(), 0f, "export is a copy");

      second.step(1.0, Map.of("w", manager.create(new float[] {9, 9, 9, 9}, new Shape(2, 2))));
      b.subi(b).addi(manager.create(a.toFloatArray(), new Shape(2, 2)));
      AdamWState later = first.exportState(saved);
      second.importState(later);
      assertEquals(3, second.stepCount());
      first.step(LRS[3], Map.of("w", g));
      second.step(LRS[3], Map.of("w", g));
      assertArrayEquals(a.toFloatArray(), b.toFloatArray(), 0f);
    }
  }

  @Test
  void rejectsMissingUnknownAndMisshapenGradients() {
    NDArray p = manager.create(new float[] {1f, 2f});
    try (AdamW adamw = new AdamW(List.of(OptimParam.of("p", p)), CONFIG)) {
      NDArray good = manager.create(new float[] {1f, 1f});
      assertEquals(
          "no gradient for parameter p",
          assertThrows(IllegalArgumentException.class, () -> adamw.step(0.1, Map.of()))
              .getMessage());
      assertEquals(
          "gradients for unknown parameters [q]",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> adamw.step(0.1, Map.of("p", good, "q", good)))
              .getMessage());
      assertEquals(
          "gradient of p has shape (3), parameter has (2)",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> adamw.step(0.1, Map.of("p", manager.create(new float[3]))))
              .getMessage());
      assertEquals(0, adamw.stepCount());
    }
  }

  @Test
  void rejectsNonFloat32ParametersAndMismatchedState() {
    NDArray doubles = manager.create(new double[] {1, 2});
    assertEquals(
        "parameter d is float64; adamw updates float32 parameters",
        assertThrows(
                IllegalArgumentException.class,
                () -> new AdamW(List.of(OptimParam.of("d", doubles)), CONFIG))
            .getMessage());

    NDArray p = manager.create(new float[] {1f, 2f});
    try (AdamW adamw = new AdamW(List.of(OptimParam.of("p", p)), CONFIG)) {
      AdamWState wrong = new AdamWState(1, Map.of("q.exp_avg", p, "p.exp_avg_sq", p));
      assertEquals(
          "optimizer state does not match the parameters: missing [p.exp_avg], unknown"
              + " [q.exp_avg]",
          assertThrows(IllegalArgumentException.class, () -> adamw.importState(wrong))
              .getMessage());
      NDArray small = manager.zeros(new Shape(1), DataType.FLOAT32);
      AdamWState misshapen = new AdamWState(1, Map.of("p.exp_avg", small, "p.exp_avg_sq", p));
      assertEquals(
          "optimizer state p.exp_avg is float32 (1), expected float32 (2)",
          assertThrows(IllegalArgumentException.class, () -> adamw.importState(misshapen))
              .getMessage());
    }
  }
}
