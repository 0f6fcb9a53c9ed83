package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.HfCheckpointWriter;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each family from a Hugging Face folder on disk (config.json, sharded safetensors, index): loaded
 * on one and on two ranks, its logits match the plain-Java reference; saved again, it reloads to
 * identical tensors.
 */
class HfCheckpointRoundTripTest {
  private static final long SEED = 21;

  /** Small enough that every test model spans several shards. */
  private static final long SHARD_BYTES = 24_000;

  @TempDir Path dir;

  static Stream<String> families() {
    return Stream.of(TestModels.MIXTRAL, TestModels.QWEN3_MOE, TestModels.OLMOE);
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("families")
  void loadsFromDiskOnOneAndTwoRanksAndSavesIdenticalTensors(String json) throws Exception {
    ModelConfig config = TestModels.config(json);
    InMemoryTensorSource weights = TestModels.checkpoint(config, SEED);
    Path folder = dir.resolve("original");
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      SequencedMap<String, NDArray> tensors = new LinkedHashMap<>();
      for (String name : weights.names()) {
        tensors.put(name, weights.read(name, root, DataType.FLOAT32));
      }
      writer().write(folder, json, tensors);
    }
    try (Stream<Path> files = Files.list(folder)) {
      long shards = files.filter(p -> p.toString().endsWith(".safetensors")).count();
      assertTrue(shards > 1, "the test checkpoint should be sharded, got " + shards + " file(s)");
    }
    assertTrue(Files.isRegularFile(folder.resolve("model.safetensors.index.json")));

    Path saved = dir.resolve("saved");
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder);
        NDManager root = NDManager.newBaseManager("PyTorch")) {
      ModelConfig reloaded = HfConfigParser.parse(checkpoint.configText());
      int[][] ids = TestModels.tokens(5, 2, 6, config.vocabSize());
      try (MoeTransformer model =
              MoeTransformer.load(
                  reloaded,
                  checkpoint,
                  ModelShard.single(),
                  Checks.planner(DispatchMode.EP),
                  DataType.FLOAT32,
                  root);
          NDManager step = root.newSubManager()) {
        DistributedTape tape = DistributedTape.inference(new SingleProcessCommunicator());
        ModelOutput out = model.forward(tape, step, TokenBatch.of(ids));
        assertMatchesReference(config, weights, ids, Checks.host(out.logits_BSV()), "1 rank");
        SequencedMap<String, NDArray> exported = new LinkedHashMap<>();
        model.exportTensors(step).forEach(p -> exported.put(p.name(), p.array()));
        writer().write(saved, checkpoint.configText(), exported);
      }
    }
    assertOnTwoRanks(config, folder, weights);
    try (HfCheckpoint original = HfCheckpoint.open(folder);
        HfCheckpoint again = HfCheckpoint.open(saved);
        NDManager root = NDManager.newBaseManager("PyTorch")) {
      assertEquals(original.names(), again.names());
      for (String name : original.names()) {
        assertArrayEquals(
            original.read(name, root, DataType.FLOAT32).toFloatArray(),
            again.read(name, root, DataType.FLOAT32).toFloatArray(),
            name);
      }
    }
  }

  private static void assertOnTwoRanks(
      ModelConfig config, Path folder, InMemoryTensorSource weights) throws Exception {
    try (LocalWorld world =
        LocalWorld.start(
            2, new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), "127.0.0.1"))) {
      List<LocalWorld.Outcome<double[]>> outcomes =
          world.run(
              (rank, comm, manager) -> {
                int[][] ids = TestModels.tokens(30 + rank, 2, 5, config.vocabSize());
                try (HfCheckpoint checkpoint = HfCheckpoint.open(folder);
                    MoeTransformer model =
                        MoeTransformer.load(
                            config,
                            checkpoint,
                            new ModelShard(rank, 2),
                            Checks.planner(DispatchMode.LLEP),
                            DataType.FLOAT32,
                            manager);
                    NDManager step = manager.newSubManager()) {
                  long experts =
                      model.parameters().ofKind(ParameterKind.EXPERT).stream()
                          .mapToLong(p -> p.checkpointNames().size())
                          .sum();
                  long expertTensorsPerLayer = 3L * config.numExperts() / 2;
                  long moeLayers = config.numLayers() - config.denseLayers().size();
                  assertEquals(
                      expertTensorsPerLayer * moeLayers,
                      experts,
                      "rank " + rank + " holds only its experts");
                  ModelOutput out =
                      model.forward(DistributedTape.inference(comm), step, TokenBatch.of(ids));
                  return Checks.host(out.logits_BSV());
                }
              });
      for (int rank = 0; rank < 2; rank++) {
        assertNull(outcomes.get(rank).error(), "rank " + rank + ": " + outcomes.get(rank).error());
        int[][] ids = TestModels.tokens(30 + rank, 2, 5, config.vocabSize());
        assertMatchesReference(
            config, weights, ids, outcomes.get(rank).value(), "2 ranks, rank " + rank);
      }
    }
  }

  private static void assertMatchesReference(
      ModelConfig config, InMemoryTensorSource weights, int[][] ids, double[] logits, String what) {
    double[][][] expected =
        new ReferenceModel(config, weights::values).logits(ids, TokenBatch.of(ids).positions_BS());
    Checks.assertClose(Checks.flatten(expected), logits, 1e-4, config.family() + " " + what);
  }

  private static HfCheckpointWriter writer() {
    return new HfCheckpointWriter(SHARD_BYTES, SafetensorsWriter.FloatStorage.AS_IS);
  }
}
