package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TinyMoe;
import ai.llep.plan.DispatchMode;
import ai.llep.tape.DistributedTape;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The built-in model: drawn from a seed, identical for every world size, and it runs. */
class TinyMoeTest {
  private static final long SEED = 1234;

  /** One rank's weights by name, and its logits and mean loss on the shared batch. */
  record Run(Map<String, float[]> weights, double[] logits, double loss) {}

  @Test
  void sameWeightsAndLogitsOnOneAndTwoRanks() throws Exception {
    ModelConfig config = TinyMoe.config();
    Run one;
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      one = run(config, ModelShard.single(), new SingleProcessCommunicator(), root);
    }
    List<LocalWorld.Outcome<Run>> outcomes;
    try (LocalWorld world =
        LocalWorld.start(
            2, new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(30), "127.0.0.1"))) {
      outcomes = world.run((rank, comm, m) -> run(config, new ModelShard(rank, 2), comm, m));
    }
    int held = 0;
    for (int rank = 0; rank < 2; rank++) {
      LocalWorld.Outcome<Run> outcome = outcomes.get(rank);
      assertNull(outcome.error(), () -> "rank failed: " + outcome.error());
      Run run = outcome.value();
      for (Map.Entry<String, float[]> tensor : run.weights().entrySet()) {
        assertArrayEquals(one.weights().get(tensor.getKey()), tensor.getValue(), tensor.getKey());
      }
      held += run.weights().size();
      Checks.assertClose(one.logits(), run.logits(), 1e-5, "rank " + rank + " logits");
    }
    int dense = one.weights().size() - 4 * 8 * 3;
    assertEquals(one.weights().size() + dense, held, "dense on both ranks, experts split");
  }

  @Test
  void aFreshModelPredictsNearlyUniformlyAndSeedsDiffer() {
    ModelConfig config = TinyMoe.config();
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      Run run = run(config, ModelShard.single(), new SingleProcessCommunicator(), root);
      assertEquals(Math.log(config.vocabSize()), run.loss(), 0.05);
      for (double logit : run.logits()) {
        assertTrue(Double.isFinite(logit));
      }
      try (MoeTransformer other =
          MoeTransformer.initRandom(
              config,
              SEED + 1,
              ModelShard.single(),
              Checks.planner(DispatchMode.LLEP),
              DataType.FLOAT32,
              root)) {
        String name = "model.layers.0.self_attn.q_proj.weight";
        assertNotEquals(
            run.weights().get(name)[0], other.parameters().get(name).array().toFloatArray()[0]);
        assertArrayEquals(
            run.weights().get("model.norm.weight"),
            other.parameters().get("model.norm.weight").array().toFloatArray(),
            "norms start at one");
      }
    }
  }

  private static Run run(ModelConfig config, ModelShard shard, Communicator comm, NDManager root) {
    byte[] text = "the quick brown fox jumps over it".getBytes(StandardCharsets.US_ASCII);
    int[][] ids = new int[2][text.length / 2];
    for (int i = 0; i < ids.length * ids[0].length; i++) {
      ids[i / ids[0].length][i % ids[0].length] = text[i];
    }
    try (MoeTransformer model =
            MoeTransformer.initRandom(
                config, SEED, shard, Checks.planner(DispatchMode.LLEP), DataType.FLOAT32, root);
        NDManager step = root.newSubManager()) {
      Map<String, float[]> weights = new HashMap<>();
      for (Parameter p : model.parameters().all()) {
        p.byCheckpointName(p.array(), step)
            .forEach((name, w) -> weights.put(name, w.toFloatArray()));
      }
      DistributedTape tape = DistributedTape.inference(comm);
      TokenBatch batch = TokenBatch.causalLm(ids);
      ModelOutput forward = model.forward(tape, step, batch);
      LossOutput out = model.loss(tape, step, batch);
      return new Run(weights, Checks.host(forward.logits_BSV()), Checks.host(out.loss().mean())[0]);
    }
  }
}
