package ai.llep.trainer.optim;

import static ai.llep.trainer.optim.ShardingTestParams.concat;
import static ai.llep.trainer.optim.ShardingTestParams.gradients;
import static ai.llep.trainer.optim.ShardingTestParams.replicatedElements;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
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

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {2, 3, 4})
  void updatesEveryElementAsTheReplicatedOptimizerDoes(int world) throws Exception {
    List<Long> replicatedStateBytes =
        ShardingWorld.run(
            world,
            (rank, comm, manager, params) -> {
              List<OptimParam> actual = concat(params.replicated(), params.sharded());
              List<OptimParam> reference = params.reference();
              try (ShardedAdamW zero =
                      new ShardedAdamW(params.replicated(), params.sharded(), CONFIG, comm);
                  AdamW plain = new AdamW(reference, CONFIG)) {
                for (int step = 0; step < LRS.length; step++) {
                  try (NDManager scope = manager.newSubManager()) {
                    zero.step(LRS[step], gradients(scope, actual, step, rank));
                    plain.step(LRS[step], gradients(scope, actual, step, rank));
                  }
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
    long chunk = (replicatedElements() + world - 1) / world;
    long total = 0;
    for (int rank = 0; rank < world; rank++) {
      long bytes = replicatedStateBytes.get(rank);
      assertTrue(bytes <= 2 * Float.BYTES * chunk, "rank " + rank + " holds " + bytes + " B");
      total += bytes;
    }
    assertEquals(2 * Float.BYTES * replicatedElements(), total, "replicated moments over ranks");
  }
}
