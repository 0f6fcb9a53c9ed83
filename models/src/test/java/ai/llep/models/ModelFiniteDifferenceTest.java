package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.TensorNames;
import ai.llep.models.moe.RoutingStats;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The backward through every kind of layer is the derivative of the forward: autograd gradients of
 * the mean loss in float64 against central finite differences, for one entry of the embedding, each
 * attention projection and norm, the router, a used expert and the final norm.
 */
class ModelFiniteDifferenceTest {
  private static final long WEIGHTS_SEED = 3;
  private static final float STEP = 1e-3f;

  static Stream<String> families() {
    return Stream.of(TestModels.MIXTRAL, TestModels.QWEN3_MOE, TestModels.OLMOE);
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("families")
  void gradientsAreTheDerivativeOfTheLoss(String json) {
    ModelConfig config = TestModels.config(json);
    InMemoryTensorSource source = TestModels.checkpoint(config, WEIGHTS_SEED);
    int[][] ids = TestModels.tokens(31, 2, 5, config.vocabSize());
    TokenBatch batch = TokenBatch.causalLm(ids);
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        GradMode grad = GradMode.enabled();
        MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                ModelShard.single(),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT64,
                root);
        NDManager step = root.newSubManager()) {
      DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
      LossOutput out = model.loss(tape, step, batch);
      tape.backward(out.loss().mean());
      for (String name : probed(config, ids, out.routing())) {
        int index = 3;
        double autograd;
        Parameter holder = model.parameters().holding(name);
        try (NDArray gradient = holder.array().getGradient()) {
          autograd = Checks.host(holder.byCheckpointName(gradient, step).get(name))[index];
        }
        float value = source.values(name)[index];
        float up = value + STEP;
        float down = value - STEP;
        double numeric =
            (loss(config, source.withValue(name, index, up), batch, root)
                    - loss(config, source.withValue(name, index, down), batch, root))
                / ((double) up - down);
        assertTrue(
            Math.abs(numeric - autograd) <= 1e-6 + 1e-4 * Math.abs(numeric),
            name + "[" + index + "]: autograd " + autograd + ", finite difference " + numeric);
      }
    }
  }

  private static List<String> probed(ModelConfig config, int[][] ids, List<RoutingStats> routing) {
    TensorNames n = new TensorNames(config.family());
    List<String> names = new ArrayList<>();
    names.add(n.embedding());
    for (char proj : new char[] {'q', 'k', 'v', 'o'}) {
      names.add(n.attention(1, proj, "weight"));
    }
    names.add(n.inputNorm(1));
    names.add(n.postAttentionNorm(0));
    names.add(n.finalNorm());
    if (config.qkNorm() != QkNorm.NONE) {
      names.add(n.queryNorm(0));
      names.add(n.keyNorm(1));
    }
    if (config.attentionBias()) {
      names.add(n.attention(0, 'k', "bias"));
    }
    if (!config.isMoeLayer(0)) {
      names.add(n.denseMlp(0, "down"));
    }
    names.add(n.router(1));
    RoutingStats last = routing.getLast();
    for (int e = 0; e < config.numExperts(); e++) {
      if (last.localExpertLoad_E()[e] > 0) {
        names.add(n.expertGate(1, e));
        names.add(n.expertDown(1, e));
        break;
      }
    }
    return names;
  }

  private static double loss(
      ModelConfig config, InMemoryTensorSource source, TokenBatch batch, NDManager root) {
    try (GradMode off = GradMode.disabled();
        MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                ModelShard.single(),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT64,
                root);
        NDManager step = root.newSubManager()) {
      DistributedTape tape = DistributedTape.inference(new SingleProcessCommunicator());
      LossOutput out = model.loss(tape, step, batch);
      return Checks.host(out.loss().mean())[0];
    }
  }
}
