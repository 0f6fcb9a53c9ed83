package ai.llep.trainer.optim;

import static ai.llep.trainer.optim.ShardingTestParams.concat;
import static ai.llep.trainer.optim.ShardingTestParams.gradients;
import static ai.llep.trainer.optim.ShardingTestParams.params;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZeRO-1 against the replicated optimizer: on every rank, after every step, each replicated and
 * sharded parameter holds the bits {@link AdamW} over all of them gives, and the rank keeps 1/P of
 * the replicated moments.
 */
class ShardedAdamWTest {
  private static final AdamWConfig CONFIG = new AdamWConfig(0.9, 0.95, 1e-8, 0.1);
  private static final double[] LRS = {2e-2, 1e-2, 5e-3};

  /** Replicated shapes whose sizes (35, 3, 24, 1) put chunk boundaries inside tensors. */
  private static final List<Shape> REPLICATED =
      List.of(new Shape(5, 7), new Shape(3), new Shape(4, 6), new Shape(1));

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {2, 3, 4})
  void updatesEveryElementAsTheReplicatedOptimizerDoes(int world) throws Exception {
    TcpOptions tcp = new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(20), "");
    try (LocalWorld ranks = LocalWorld.start(world, tcp)) {
      List<LocalWorld.Outcome<Long>> outcomes =
          ranks.run(
              (rank, comm, manager) -> {
                List<OptimParam> replicated = params(manager, "r", REPLICATED, 0);
                List<OptimParam> sharded = params(manager, "e", List.of(new Shape(2, 3)), rank);
                List<OptimParam> reference = new ArrayList<>();
                for (OptimParam p : concat(replicated, sharded)) {
                  reference.add(new OptimParam(p.name(), p.array().duplicate(), p.weightDecay()));
                }
                try (ShardedAdamW zero = new ShardedAdamW(replicated, sharded, CONFIG, comm);
                    AdamW plain = new AdamW(reference, CONFIG)) {
                  for (int step = 0; step < LRS.length; step++) {
                    try (NDManager scope = manager.newSubManager()) {
                      zero.step(
                          LRS[step], gradients(scope, concat(replicated, sharded), step, rank));
                      plain.step(
                          LRS[step], gradients(scope, concat(replicated, sharded), step, rank));
                    }
                    List<OptimParam> actual = concat(replicated, sharded);
                    for (int i = 0; i < actual.size(); i++) {
                      assertArrayEquals(
                          reference.get(i).array().toFloatArray(),
                          actual.get(i).array().toFloatArray(),
                          "rank " + rank + ", " + actual.get(i).name() + " after step " + step);
                    }
                  }
                  assertEquals(LRS.length, zero.stepCount());
                  return zero.stateBytes().entrySet().stream()
                      .filter(e -> e.getKey().startsWith("r"))
                      .mapToLong(Map.Entry::getValue)
                      .sum();
                }
              });
      long replicatedElements = REPLICATED.stream().mapToLong(Shape::size).sum();
      long chunk = (replicatedElements + world - 1) / world;
      long total = 0;
      for (int rank = 0; rank < world; rank++) {
        LocalWorld.Outcome<Long> outcome = outcomes.get(rank);
        if (outcome.error() != null) {
          throw new AssertionError("rank " + rank + " failed", outcome.error());
        }
        long bytes = outcome.value();
        assertTrue(bytes <= 2 * Float.BYTES * chunk, "rank " + rank + " holds " + bytes + " B");
        total += bytes;
      }
      assertEquals(2 * Float.BYTES * replicatedElements, total, "replicated moments over ranks");
    }
  }
}
