package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Short texts from every rank to every rank (what each found when it checked a checkpoint), as one
 * all-gather of fixed-size rows: each text is cut to {@value #MAX_BYTES} bytes of UTF-8.
 */
final class RankMessages {
  static final int MAX_BYTES = 400;

  private RankMessages() {}

  /** Collective: every rank's {@code mine}, in rank order. */
  static List<String> gather(Communicator comm, NDManager manager, String mine) {
    byte[] utf8 = mine.getBytes(StandardCharsets.UTF_8);
    int length = Math.min(utf8.length, MAX_BYTES);
    long[] row = new long[MAX_BYTES + 1];
    row[0] = length;
    for (int i = 0; i < length; i++) {
      row[i + 1] = utf8[i];
    }
    long[] all;
    try (NDManager scope = manager.newSubManager();
        NDArray gathered = comm.allGather(scope.create(row))) {
      all = gathered.toLongArray();
    }
    List<String> texts = new ArrayList<>(comm.worldSize());
    for (int r = 0; r < comm.worldSize(); r++) {
      int offset = r * (MAX_BYTES + 1);
      byte[] bytes = new byte[(int) all[offset]];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) all[offset + 1 + i];
      }
      // A cut in the middle of a character shows as U+FFFD.
      texts.add(new String(bytes, StandardCharsets.UTF_8));
    }
    return texts;
  }

  /** Collective: rank 0's {@code values} (others pass arrays of the same length) on every rank. */
  static long[] broadcast(Communicator comm, NDManager manager, long[] values) {
    try (NDManager scope = manager.newSubManager();
        NDArray result = comm.broadcast(scope.create(values), 0)) {
      return Arrays.copyOf(result.toLongArray(), values.length);
    }
  }
}
