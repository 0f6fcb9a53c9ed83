package ai.llep.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Data-parallel batches: rank r owns rows r, r + P, r + 2P, ... (disjoint shards), reshuffled every
 * epoch with a seed shared by all ranks; each step takes {@code batchSize} rows. Where the stream
 * stands ({@link Position}) is saved in checkpoints, so a resumed run sees the same rows.
 */
public final class ShardedBatches {
  /** Epoch and the next row of the epoch's shuffled shard. */
  public record Position(int epoch, int cursor) {}

  private final List<PackedSequence> shard;
  private final int batchSize;
  private final long seed;
  private int[] order;
  private int epoch;
  private int cursor;

  public ShardedBatches(
      List<PackedSequence> rows, int rank, int worldSize, int batchSize, long seed) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("data.batch-size must be >= 1, got " + batchSize);
    }
    int perRank = rows.size() / worldSize;
    if (perRank < batchSize) {
      throw new DataError(
          "the data gives "
              + rows.size()
              + " rows, "
              + perRank
              + " per rank: fewer than one batch of "
              + batchSize
              + " per rank (use more data or a smaller data.batch-size)");
    }
    // Equal shards on every rank, so every rank takes the same number of steps per epoch.
    this.shard = new ArrayList<>(perRank);
    for (int i = 0; i < perRank; i++) {
      shard.add(rows.get(i * worldSize + rank));
    }
    this.batchSize = batchSize;
    this.seed = seed;
    seek(new Position(0, 0));
  }

  public Position position() {
    return new Position(epoch, cursor);
  }

  public void seek(Position position) {
    epoch = position.epoch();
    cursor = position.cursor();
    order = permutation(shard.size(), seed + 1_000_003L * epoch);
  }

  /** The next batch; a new epoch begins (reshuffled) when the shard runs out. */
  public List<PackedSequence> next() {
    if (cursor + batchSize > shard.size()) {
      seek(new Position(epoch + 1, 0));
    }
    List<PackedSequence> batch = new ArrayList<>(batchSize);
    for (int i = 0; i < batchSize; i++) {
      batch.add(shard.get(order[cursor++]));
    }
    return batch;
  }

  public int stepsPerEpoch() {
    return shard.size() / batchSize;
  }

  private static int[] permutation(int n, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}
