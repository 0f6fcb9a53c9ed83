package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientExchangeTest {
  @Test
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void gradientsAreEmptiedBetweenStepsAndStartTheNextOneFromZero() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray dense = m.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
      NDArray expert = m.create(new float[] {5, 6}, new Shape(2));
      dense.setRequiresGradient(true);
      expert.setRequiresGradient(true);
      List<Parameter> params =
          List.of(
              new Parameter("dense", ParameterKind.DENSE, 0, -1, dense),
              new Parameter("expert", ParameterKind.EXPERT, 0, 0, expert, List.of("e0", "e1")));
      GradientExchange exchange = new GradientExchange(new SingleProcessCommunicator(), params, m);

      for (int step = 1; step <= 3; step++) {
        exchange.beforeBackward();
        float scale = step;
        try (NDManager pass = m.newSubManager();
            GradMode on = GradMode.enabled()) {
          NDArray loss = dense.mul(scale).sum().add(expert.mul(scale * 2).sum());
          Gradients.backward(loss, pass.ones(new Shape()));
        }
        try (NDManager scope = m.newSubManager()) {
          GradientExchange.StepGradients g = exchange.collect(scope, 0);
          assertArrayEquals(
              new float[] {scale, scale, scale, scale},
              g.byName().get("dense").toFloatArray(),
              "step " + step + ": the step's own gradient, nothing of the step before");
          assertArrayEquals(
              new float[] {2 * scale, 2 * scale}, g.byName().get("expert").toFloatArray());
          assertEquals(Math.sqrt(4 * scale * scale + 2 * 4 * scale * scale), g.norm(), 1e-5);
        }
        exchange.zero();
        try (NDArray parkedDense = dense.getGradient();
            NDArray parkedExpert = expert.getGradient()) {
          assertEquals(0, parkedDense.size(), "step " + step + ": the gradient's memory is back");
          assertEquals(0, parkedExpert.size());
        }
      }
    }
  }

  @Test
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void microBatchesSumIntoTheGradientsAndClippingScalesWhatTheParametersHold() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray dense = m.create(new float[] {1, 2, 3}, new Shape(3));
      NDArray expert = m.create(new float[] {4, 5, 6, 7}, new Shape(2, 2));
      dense.setRequiresGradient(true);
      expert.setRequiresGradient(true);
      List<Parameter> params =
          List.of(
              new Parameter("dense", ParameterKind.DENSE, 0, -1, dense),
              new Parameter("expert", ParameterKind.EXPERT, 0, 0, expert, List.of("e0", "e1")));
      GradientExchange exchange = new GradientExchange(new SingleProcessCommunicator(), params, m);
      for (int step = 1; step <= 2; step++) {
        for (float micro : new float[] {1, 2}) {
          exchange.beforeBackward();
          try (NDManager pass = m.newSubManager();
              GradMode on = GradMode.enabled()) {
            NDArray loss = dense.mul(micro).sum().add(expert.mul(micro * 4).sum());
            Gradients.backward(loss, pass.ones(new Shape()));
          }
        }
        try (NDManager scope = m.newSubManager()) {
          // Summed over the micro-batches: dense 3 each, expert 12 each; norm sqrt(27 + 576).
          GradientExchange.StepGradients g = exchange.collect(scope, 3);
          double norm = Math.sqrt(3 * 9 + 4 * 144);
          assertEquals(norm, g.norm(), 1e-4);
          float factor = (float) (3 / (norm + 1e-6));
          assertArrayEquals(
              new float[] {3 * factor, 3 * factor, 3 * factor},
              g.byName().get("dense").toFloatArray(),
              1e-5f);
          assertArrayEquals(
              new float[] {12 * factor, 12 * factor, 12 * factor, 12 * factor},
              g.byName().get("expert").toFloatArray(),
              1e-5f);
          try (NDArray held = expert.getGradient()) {
            assertArrayEquals(
                g.byName().get("expert").toFloatArray(),
                held.toFloatArray(),
                "step " + step + ": the optimizer reads the parameter's own gradient");
          }
        }
        exchange.zero();
      }
    }
  }
}
