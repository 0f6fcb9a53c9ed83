package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.layers.LossSum;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The model's chunked loss against the loss of its full logits: the same value and the same
 * gradient for every parameter, the LM head included (tied to the embedding for Qwen3-MoE, whose
 * gradient then has both parts). In float64, to 1e-10.
 */
class ModelLossChunkingTest {
  static Stream<String> families() {
    return Stream.of(TestModels.MIXTRAL, TestModels.QWEN3_MOE);
  }

  record Run(double loss, long count, Map<String, double[]> gradients) {}

  @ParameterizedTest(name = "{index}")
  @MethodSource("families")
  void chunksGiveTheLossAndGradientsOfTheFullLogits(String json) {
    ModelConfig config = TestModels.config(json);
    InMemoryTensorSource source = TestModels.checkpoint(config, 5);
    TokenBatch batch = TokenBatch.causalLm(TestModels.tokens(9, 2, 9, config.vocabSize()));
    Run full = run(config, source, batch, 0);
    Run chunked = run(config, source, batch, 4);
    assertEquals(full.count(), chunked.count());
    Checks.assertClose(new double[] {full.loss()}, new double[] {chunked.loss()}, 1e-10, "loss");
    for (String name : full.gradients().keySet()) {
      Checks.assertClose(full.gradients().get(name), chunked.gradients().get(name), 1e-10, name);
    }
  }

  /** chunk 0: the loss of {@link MoeTransformer#forward}'s logits. */
  private static Run run(
      ModelConfig config, InMemoryTensorSource source, TokenBatch batch, int chunk) {
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
      DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
      LossSum loss =
          chunk == 0
              ? model.forward(tape, step, batch).lossSum(batch.labels_BS(), batch.segments())
              : model.loss(tape, step, batch, chunk).loss();
      tape.backward(loss.sum());
      Map<String, double[]> gradients = new HashMap<>();
      for (Parameter p : model.parameters().all()) {
        try (NDArray g = p.array().getGradient()) {
          gradients.put(p.name(), Checks.host(g));
        }
      }
      return new Run(Checks.host(loss.sum())[0], loss.count(), gradients);
    }
  }
}
