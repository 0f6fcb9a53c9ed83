package ai.llep.models;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.device.GpuPresence;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TinyMoe;
import ai.llep.models.layers.Segments;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * On CUDA, a packed row's examples get the logits they get alone: in float16 through
 * variable-length FlashAttention (tiny-moe and the Qwen3-MoE test model have head dims it takes),
 * in float32 through the masked memory-efficient kernel. Skipped without a CUDA libtorch.
 */
@Tag("gpu")
class PackedRowGpuTest {
  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(TinyMoe.configJson(), DataType.FLOAT16, 2e-2),
        Arguments.of(TestModels.QWEN3_MOE, DataType.FLOAT16, 2e-2),
        Arguments.of(TinyMoe.configJson(), DataType.FLOAT32, 1e-4),
        Arguments.of(TestModels.MIXTRAL, DataType.FLOAT32, 1e-4),
        Arguments.of(TestModels.OLMOE, DataType.FLOAT32, 1e-4));
  }

  @ParameterizedTest(name = "{index} {1}")
  @MethodSource("cases")
  void aPackedRowsExamplesGetTheirOwnLogits(String json, DataType type, double tolerance) {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
    ModelConfig config = TestModels.config(json);
    InMemoryTensorSource source = TestModels.checkpoint(config, 7);
    int[] first = TestModels.tokens(3, 1, 24, config.vocabSize())[0];
    int[] second = TestModels.tokens(4, 1, 40, config.vocabSize())[0];
    int[] both = new int[first.length + second.length];
    System.arraycopy(first, 0, both, 0, first.length);
    System.arraycopy(second, 0, both, first.length, second.length);
    double[] alone1 = logits(config, source, type, TokenBatch.of(new int[][] {first}));
    double[] alone2 = logits(config, source, type, TokenBatch.of(new int[][] {second}));
    double[] packed =
        logits(
            config,
            source,
            type,
            TokenBatch.packed(
                new int[][] {both},
                null,
                new Segments(new int[][] {{first.length, second.length}})));
    int cut = first.length * config.vocabSize();
    Checks.assertClose(alone1, Arrays.copyOfRange(packed, 0, cut), tolerance, "first example");
    Checks.assertClose(
        alone2, Arrays.copyOfRange(packed, cut, packed.length), tolerance, "second example");
  }

  private static double[] logits(
      ModelConfig config, InMemoryTensorSource source, DataType type, TokenBatch batch) {
    try (NDManager root = NDManager.newBaseManager(Device.gpu(0), "PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config, source, ModelShard.single(), Checks.planner(DispatchMode.EP), type, root);
        NDManager step = root.newSubManager()) {
      DistributedTape tape = DistributedTape.inference(new SingleProcessCommunicator());
      return Checks.host(model.forward(tape, step, batch).logits_BSV());
    }
  }
}
