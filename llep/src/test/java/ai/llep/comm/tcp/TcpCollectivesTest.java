package ai.llep.comm.tcp;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.CollectiveCase;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every collective on 1 to 4 ranks against a direct computation, bit for bit, in every dtype the
 * training step sends (bfloat16 included, which DJL itself cannot create). Inputs derive from
 * (trial, dtype, rank), so each rank rebuilds all ranks' inputs to compute the expected result.
 */
class TcpCollectivesTest {
  private static final DataType[] TYPES = {
    DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16, DataType.INT64
  };
  private static final int TRIALS = 4;

  @ParameterizedTest(name = "P={0}")
  @ValueSource(ints = {1, 2, 3, 4})
  void collectivesMatchADirectComputation(int size) throws Exception {
    try (LocalWorld world = LocalWorld.start(size, LocalWorld.options(Duration.ofSeconds(20)))) {
      world.runAll(
          (rank, comm, manager) -> {
            for (int trial = 0; trial < TRIALS; trial++) {
              for (DataType type : TYPES) {
                try (NDManager scope = manager.newSubManager()) {
                  new CollectiveCase(size, rank, trial, type, scope).runAll(comm, true);
                }
              }
            }
            return null;
          });
    }
  }
}
