package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TinyMoe;
import ai.llep.models.layers.Upcast;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoding through the key/value cache gives the logits of a full forward pass over the whole
 * sequence: a prompt run once, then one token per step, with rows left-padded to a common length
 * (each row's logits are those of the row alone, unpadded); in float64, float32 and bfloat16
 * compute, on every family (gpt-oss: sinks, and a sliding window of 3 that the decoding steps pass,
 * so its layer keeps only the latest two positions).
 */
class KvCacheTest {
  private static final DistributedTape TAPE =
      DistributedTape.inference(new SingleProcessCommunicator());
  private static final Planner EP = Checks.planner(DispatchMode.EP);

  /**
   * bfloat16 keeps 8 significant bits; the cached and the full pass round in different places
   * (masked attention against the causal kernel, one position against many in a product).
   */
  private static final double BFLOAT16_TOLERANCE = 3e-2;

  static Stream<Arguments> familiesAndTypes() {
    return Stream.of(
            TinyMoe.configJson(),
            TestModels.MIXTRAL,
            TestModels.QWEN3_MOE,
            TestModels.OLMOE,
            TestModels.GPT_OSS)
        .flatMap(
            json ->
                Stream.of(
                    Arguments.of(json, DataType.FLOAT64, 1e-10),
                    Arguments.of(json, DataType.FLOAT32, 1e-4),
                    Arguments.of(json, DataType.BFLOAT16, BFLOAT16_TOLERANCE)));
  }

  @ParameterizedTest(name = "{index}: {1}")
  @MethodSource("familiesAndTypes")
  void cachedDecodingGivesTheFullForwardsLogits(String json, DataType type, double tolerance) {
    ModelConfig config = TestModels.config(json);
    int vocab = config.vocabSize();
    int[] first = TestModels.tokens(11, 1, 9, vocab)[0];
    int[] second = TestModels.tokens(12, 1, 6, vocab)[0];
    int prompt = 5;
    int padding = 3;
    int steps = 4;
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config, TestModels.checkpoint(config, 5), ModelShard.single(), EP, type, root);
        GradMode off = GradMode.disabled()) {
      double[][] fullFirst = fullLogits(model, root, first);
      double[][] fullSecond = fullLogits(model, root, second);
      int[][] promptIds = {
        Arrays.copyOf(first, prompt), padded(Arrays.copyOf(second, prompt - padding), padding)
      };
      try (KvCache cache = model.newCache(new int[] {0, padding}, prompt + steps, root)) {
        double[][][] prefill = run(model, root, promptIds, cache, false);
        for (int s = 0; s < prompt; s++) {
          assertRow(fullFirst[s], prefill[0][s], tolerance, "row 0 prompt position " + s);
        }
        for (int s = padding; s < prompt; s++) {
          assertRow(
              fullSecond[s - padding], prefill[1][s], tolerance, "row 1 prompt position " + s);
        }
        for (int step = 0; step < steps; step++) {
          int[][] next = {{first[prompt + step]}, {second[prompt - padding + step]}};
          double[][][] decoded = run(model, root, next, cache, true);
          assertRow(fullFirst[prompt + step], decoded[0][0], tolerance, "row 0 step " + step);
          assertRow(
              fullSecond[prompt - padding + step], decoded[1][0], tolerance, "row 1 step " + step);
        }
        assertEquals(prompt + steps, cache.length());
      }
    }
  }

  @Test
  void aPassBeyondTheCapacityIsRefused() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config,
                TestModels.checkpoint(config, 5),
                ModelShard.single(),
                EP,
                DataType.FLOAT32,
                root);
        KvCache cache = model.newCache(new int[] {0}, 3, root);
        NDManager step = root.newSubManager()) {
      model.forwardCached(TAPE, step, new int[][] {{1, 2}}, cache, true);
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> model.forwardCached(TAPE, step, new int[][] {{3, 4}}, cache, true));
      assertEquals("2 more positions do not fit the key/value cache (2 of 3 used)", e.getMessage());
    }
  }

  private static int[] padded(int[] ids, int padding) {
    int[] out = new int[ids.length + padding];
    System.arraycopy(ids, 0, out, padding, ids.length);
    return out;
  }

  /** The logits of every position of {@code ids} alone, [S][V]. */
  private static double[][] fullLogits(MoeTransformer model, NDManager root, int[] ids) {
    try (NDManager step = root.newSubManager()) {
      NDArray logits_BSV = model.forward(TAPE, step, TokenBatch.of(new int[][] {ids})).logits_BSV();
      double[] flat = Checks.host(Upcast.toFloat32(logits_BSV));
      return split(flat, 1, ids.length)[0];
    }
  }

  private static double[][][] run(
      MoeTransformer model, NDManager root, int[][] ids, KvCache cache, boolean lastOnly) {
    try (NDManager step = root.newSubManager()) {
      double[] flat =
          Checks.host(model.forwardCached(TAPE, step, ids, cache, lastOnly).logits_BSV());
      return split(flat, ids.length, lastOnly ? 1 : ids[0].length);
    }
  }

  private static double[][][] split(double[] flat, int rows, int positions) {
    int vocab = flat.length / (rows * positions);
    double[][][] out = new double[rows][positions][];
    for (int b = 0; b < rows; b++) {
      for (int s = 0; s < positions; s++) {
        int at = (b * positions + s) * vocab;
        out[b][s] = Arrays.copyOfRange(flat, at, at + vocab);
      }
    }
    return out;
  }

  private static void assertRow(double[] expected, double[] actual, double tolerance, String what) {
    assertTrue(Arrays.stream(actual).allMatch(Double::isFinite), what + ": non-finite logits");
    Checks.assertClose(expected, actual, tolerance, what);
  }
}
