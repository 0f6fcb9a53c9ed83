package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.layers.StepView;
import ai.llep.models.layers.WeightCopies;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientExchangeTest {
  /**
   * One micro-batch through the weight copies: dense is used twice (a tied weight), once as it is
   * and once cast to bfloat16; expert once; unused never. Returns nothing: the gradients are
   * absorbed.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  private static void microBatch(
      GradientExchange exchange, NDManager m, NDArray dense, NDArray expert, float scale) {
    try (WeightCopies copies = WeightCopies.open(exchange.trainedArrays(), m)) {
      try (NDManager pass = m.newSubManager();
          GradMode on = GradMode.enabled()) {
        NDArray x = pass.ones(new Shape(3)).mul(scale);
        NDArray xHalf = Aten.cast(x, DataType.BFLOAT16);
        NDArray asIs = StepView.of(dense, pass).mul(x).sum();
        NDArray cast = Aten.cast(StepView.like(dense, xHalf).mul(xHalf).sum(), DataType.FLOAT32);
        NDArray e = StepView.of(expert, pass).mul(x.get("0:2").mul(4)).sum();
        Gradients.backward(asIs.add(cast).add(e), pass.ones(new Shape()));
      }
      exchange.absorb(copies.take());
    }
  }

  @Test
  void copiesCarryTheGradientsIntoTheStepsBufferAndTheParametersGetNone() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray dense = m.create(new float[] {1, 2, 3}, new Shape(3));
      NDArray expert = m.create(new float[] {5, 6}, new Shape(2));
      NDArray unused = m.create(new float[] {7}, new Shape(1));
      for (NDArray p : List.of(dense, expert, unused)) {
        p.setRequiresGradient(true);
      }
      List<Parameter> params =
          List.of(
              new Parameter("expert", ParameterKind.EXPERT, 0, 0, expert, List.of("e0", "e1")),
              new Parameter("dense", ParameterKind.DENSE, 0, -1, dense),
              new Parameter("unused", ParameterKind.DENSE, 0, -1, unused));
      GradientExchange exchange = new GradientExchange(new SingleProcessCommunicator(), params, m);
      for (int step = 1; step <= 3; step++) {
        float scale = step;
        microBatch(exchange, m, dense, expert, scale);
        try (NDManager scope = m.newSubManager()) {
          GradientExchange.StepGradients g = exchange.collect(scope, 0);
          assertArrayEquals(
              new float[] {2 * scale, 2 * scale, 2 * scale},
              g.byName().get("dense").toFloatArray(),
              "step " + step + ": both uses, this step's only");
          assertArrayEquals(
              new float[] {4 * scale, 4 * scale}, g.byName().get("expert").toFloatArray());
          assertArrayEquals(new float[] {0}, g.byName().get("unused").toFloatArray());
          assertEquals(Math.sqrt(3 * 4 * scale * scale + 2 * 16 * scale * scale), g.norm(), 1e-4);
        }
        exchange.zero();
        for (NDArray p : List.of(dense, expert, unused)) {
          assertNull(Gradients.held(p), "step " + step + ": nothing reaches the parameter");
        }
      }
    }
  }

  @Test
  void microBatchesSumAndClippingScalesWhatTheOptimizerReads() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray dense = m.create(new float[] {1, 2, 3}, new Shape(3));
      NDArray expert = m.create(new float[] {4, 5}, new Shape(2));
      dense.setRequiresGradient(true);
      expert.setRequiresGradient(true);
      List<Parameter> params =
          List.of(
              new Parameter("dense", ParameterKind.DENSE, 0, -1, dense),
              new Parameter("expert", ParameterKind.EXPERT, 0, 0, expert, List.of("e0", "e1")));
      GradientExchange exchange = new GradientExchange(new SingleProcessCommunicator(), params, m);
      for (int step = 1; step <= 2; step++) {
        microBatch(exchange, m, dense, expert, 1);
        microBatch(exchange, m, dense, expert, 2);
        try (NDManager scope = m.newSubManager()) {
          // Summed over the micro-batches: dense 2 + 4 each, expert 4 + 8 each.
          GradientExchange.StepGradients g = exchange.collect(scope, 3);
          double norm = Math.sqrt(3 * 36 + 2 * 144);
          assertEquals(norm, g.norm(), 1e-4);
          float factor = (float) (3 / (norm + 1e-6));
          assertArrayEquals(
              new float[] {6 * factor, 6 * factor, 6 * factor},
              g.byName().get("dense").toFloatArray(),
              1e-5f);
          assertArrayEquals(
              new float[] {12 * factor, 12 * factor},
              g.byName().get("expert").toFloatArray(),
              1e-5f);
        }
        exchange.zero();
      }
    }
  }

  @Test
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void aGradientThatReachedAParameterDirectlyIsAnError() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray dense = m.create(new float[] {1, 2}, new Shape(2));
      dense.setRequiresGradient(true);
      GradientExchange exchange =
          new GradientExchange(
              new SingleProcessCommunicator(),
              List.of(new Parameter("dense", ParameterKind.DENSE, 0, -1, dense)),
              m);
      try (WeightCopies copies = WeightCopies.open(exchange.trainedArrays(), m)) {
        try (NDManager pass = m.newSubManager();
            GradMode on = GradMode.enabled()) {
          Gradients.backward(dense.mul(2).sum(), pass.ones(new Shape()));
        }
        IllegalStateException e =
            assertThrows(IllegalStateException.class, () -> exchange.absorb(copies.take()));
        assertTrue(e.getMessage().contains("parameter dense received a gradient"), e.getMessage());
      }
    }
  }
}
