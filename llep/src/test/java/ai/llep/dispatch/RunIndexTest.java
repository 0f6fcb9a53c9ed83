package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Indices expanded together on the device against the same runs expanded in plain Java. */
class RunIndexTest {
  @Test
  void everyIndexMatchesItsRunsExpandedOnTheHost() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      for (int round = 0; round < 200; round++) {
        RunIndex index = new RunIndex();
        List<long[]> expected = new ArrayList<>();
        int count = random.nextInt(1, 5);
        for (int i = 0; i < count; i++) {
          int runs = random.nextInt(0, 6);
          long[] from = new long[runs];
          long[] length = new long[runs];
          List<Long> values = new ArrayList<>();
          for (int r = 0; r < runs; r++) {
            from[r] = random.nextInt(0, 50);
            length[r] = random.nextInt(4) == 0 ? 0 : random.nextInt(1, 8);
            for (long k = 0; k < length[r]; k++) {
              values.add(from[r] + k);
            }
          }
          index.add(from, length);
          expected.add(values.stream().mapToLong(Long::longValue).toArray());
        }
        List<NDArray> built = index.build(manager);
        for (int i = 0; i < count; i++) {
          assertArrayEquals(
              expected.get(i),
              built.get(i).toLongArray(),
              "seed " + seed + " round " + round + " index " + i);
        }
      }
    }
  }
}
