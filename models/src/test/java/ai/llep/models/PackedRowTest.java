package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TinyMoe;
import ai.llep.models.layers.Segments;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Two examples packed into one row behave exactly as each alone: the same logits, losses and
 * parameter gradients (attention stays inside each example, rotary positions restart, and the first
 * example's last token does not predict the second's first).
 */
class PackedRowTest {
  private static final double TOLERANCE = 1e-10;

  static Stream<String> families() {
    return Stream.of(
        TinyMoe.configJson(), TestModels.MIXTRAL, TestModels.QWEN3_MOE, TestModels.OLMOE);
  }

  record Run(double[] logits, double lossSum, long count, Map<String, double[]> gradients) {}

  @ParameterizedTest(name = "{index}")
  @MethodSource("families")
  void aPackedRowGivesEachExampleItsOwnLogitsLossAndGradients(String json) {
    ModelConfig config = TestModels.config(json);
    InMemoryTensorSource source = TestModels.checkpoint(config, 7);
    int[] first = TestModels.tokens(3, 1, 7, config.vocabSize())[0];
    int[] second = TestModels.tokens(4, 1, 5, config.vocabSize())[0];
    int[] both = new int[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);

    Run alone1 = run(config, source, TokenBatch.causalLm(new int[][] {first}));
    Run alone2 = run(config, source, TokenBatch.causalLm(new int[][] {second}));
    Segments segments = new Segments(new int[][] {{first.length, second.length}});
    Run packed =
        run(config, source, TokenBatch.packed(new int[][] {both}, new int[][] {both}, segments));

    int vocab = config.vocabSize();
    String family = config.family().toString();
    Checks.assertClose(
        alone1.logits(),
        Arrays.copyOfRange(packed.logits(), 0, first.length * vocab),
        TOLERANCE,
        family + " first example's logits");
    Checks.assertClose(
        alone2.logits(),
        Arrays.copyOfRange(packed.logits(), first.length * vocab, both.length * vocab),
        TOLERANCE,
        family + " second example's logits");
    assertEquals(alone1.count() + alone2.count(), packed.count(), "predicted tokens");
    Checks.assertClose(
        new double[] {alone1.lossSum() + alone2.lossSum()},
        new double[] {packed.lossSum()},
        TOLERANCE,
        family + " loss");
    for (String name : packed.gradients().keySet()) {
      double[] expected = alone1.gradients().get(name).clone();
      double[] other = alone2.gradients().get(name);
      for (int i = 0; i < expected.length; i++) {
        expected[i] += other[i];
      }
      Checks.assertClose(
          expected, packed.gradients().get(name), TOLERANCE, family + " gradient of " + name);
    }
  }

  private static Run run(ModelConfig config, InMemoryTensorSource source, TokenBatch batch) {
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                ModelShard.single(),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT64,
                root);
        NDManager step = root.newSubManager();
        GradMode grad = GradMode.enabled()) {
      double[] logits;
      try (GradMode off = GradMode.disabled()) {
        DistributedTape inference = DistributedTape.inference(new SingleProcessCommunicator());
        logits = Checks.host(model.forward(inference, step, batch).logits_BSV());
      }
      DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
      LossOutput out = model.loss(tape, step, batch, 4);
      tape.backward(out.loss().sum());
      Map<String, double[]> gradients = new HashMap<>();
      for (Parameter p : model.parameters().all()) {
        try (NDArray g = p.array().getGradient()) {
          gradients.put(p.name(), Checks.host(g));
        }
      }
      return new Run(logits, Checks.host(out.loss().sum())[0], out.loss().count(), gradients);
    }
  }
}
