package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TinyMoe;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.layers.LossSum;
import ai.llep.models.layers.Segments;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * bfloat16 compute over float32 parameters, on every family, with a packed row (the block mask;
 * gpt-oss's sliding window inside each segment) and a whole row: the parameters stay float32 and
 * receive float32 gradients; the loss and every gradient are those of float32 up to bfloat16
 * rounding; and the chunked loss equals the loss of the full bfloat16 logits. A run that reached a
 * DJL call aborting on bfloat16 would end the JVM.
 */
class MixedPrecisionTest {
  /** bfloat16 keeps 8 significant bits: 2^-8 = 0.4% per rounding, a few dozen of them deep. */
  private static final double LOSS_TOLERANCE = 2e-2;

  /**
   * Norm-wise, for each parameter's gradient (measured: at most 0.10, on an OLMoE query norm whose
   * gradient is a sum over tokens with much cancellation) and for all of them together (at most
   * 0.031; 0.009 on tiny-moe with its own initialisation).
   */
  private static final double GRADIENT_TOLERANCE = 0.15;

  private static final double ALL_GRADIENTS_TOLERANCE = 0.05;

  /**
   * Each family with the seed of its test weights. A seed whose tokens have a top-k choice within
   * rounding of a tie routes one token onto another expert in bfloat16, which changes that MoE
   * layer's gradients (router, experts, the norm before them: all about 0.25 off) by more than
   * rounding: gpt-oss's seed 11 (layer 1), and with the float32 residual stream tiny-moe's seed 11
   * (layer 3) and Qwen3-MoE's seed 11 (layer 1). Seed 13 has no such near tie in them.
   */
  static Stream<Arguments> families() {
    return Stream.of(
        Arguments.of(TinyMoe.configJson(), 13L),
        Arguments.of(TestModels.MIXTRAL, 11L),
        Arguments.of(TestModels.QWEN3_MOE, 13L),
        Arguments.of(TestModels.OLMOE, 11L),
        Arguments.of(TestModels.GPT_OSS, 13L));
  }

  record Run(double loss, Map<String, double[]> gradients, Map<String, DataType> types) {}

  @ParameterizedTest(name = "{index}")
  @MethodSource("families")
  void bfloat16ComputeTrainsFloat32ParametersAsFloat32Does(String json, long seed) {
    ModelConfig config = TestModels.config(json);
    // tiny-moe's own initialisation; the small families' test weights (std 0.3) are wilder.
    TensorSource source =
        json.equals(TinyMoe.configJson())
            ? new RandomTensorSource(config, seed)
            : TestModels.checkpoint(config, seed);
    int[][] ids = TestModels.tokens(5, 2, 10, config.vocabSize());
    TokenBatch batch = TokenBatch.packed(ids, ids, new Segments(new int[][] {{10}, {4, 6}}));

    Run wide = run(config, source, batch, DataType.FLOAT32, 4);
    Run mixed = run(config, source, batch, DataType.BFLOAT16, 4);
    Run mixedFull = run(config, source, batch, DataType.BFLOAT16, 0);
    String family = config.family().toString();
    double error = Math.abs(mixed.loss() - wide.loss()) / wide.loss();
    assertTrue(
        error < LOSS_TOLERANCE,
        family + ": bf16 loss " + mixed.loss() + ", float32 " + wide.loss() + " (" + error + ")");
    assertEquals(
        mixedFull.loss(), mixed.loss(), 1e-6 * wide.loss(), family + ": chunked vs full logits");
    double allDiff = 0;
    double allNorm = 0;
    for (String name : wide.gradients().keySet()) {
      assertEquals(DataType.FLOAT32, mixed.types().get(name), name + " stays float32");
      double[] g = wide.gradients().get(name);
      double[] h = mixed.gradients().get(name);
      double diff = 0;
      double norm = 0;
      for (int i = 0; i < g.length; i++) {
        diff += (g[i] - h[i]) * (g[i] - h[i]);
        norm += g[i] * g[i];
      }
      double relative = Math.sqrt(diff / Math.max(norm, 1e-30));
      allDiff += diff;
      allNorm += norm;
      assertTrue(
          relative < GRADIENT_TOLERANCE,
          family + " " + name + ": bf16 gradient off by " + relative + " of its norm");
    }
    double all = Math.sqrt(allDiff / allNorm);
    assertTrue(all < ALL_GRADIENTS_TOLERANCE, family + ": all gradients off by " + all);
  }

  /** chunk 0: the loss of the full logits. */
  private static Run run(
      ModelConfig config, TensorSource source, TokenBatch batch, DataType type, int chunk) {
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config, source, ModelShard.single(), Checks.planner(DispatchMode.EP), type, root);
        NDManager step = root.newSubManager();
        GradMode grad = GradMode.enabled()) {
      DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
      LossSum loss =
          chunk == 0
              ? model.forward(tape, step, batch).lossSum(batch.labels_BS(), batch.segments())
              : model.loss(tape, step, batch, chunk).loss();
      assertEquals(DataType.FLOAT32, Aten.dtype(loss.sum()), "the loss is float32");
      tape.backward(loss.sum());
      Map<String, double[]> gradients = new HashMap<>();
      Map<String, DataType> types = new HashMap<>();
      for (Parameter p : model.parameters().all()) {
        types.put(p.name(), Aten.dtype(p.array()));
        try (NDArray g = p.array().getGradient()) {
          assertEquals(DataType.FLOAT32, Aten.dtype(g), p.name() + "'s gradient");
          gradients.put(p.name(), Checks.host(g));
        }
      }
      return new Run(Checks.host(loss.sum())[0] / loss.count(), gradients, types);
    }
  }
}
