package ai.llep.trainer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Data-parallel batches of one rank's rows (disjoint shards, the same count on every rank),
 * reshuffled every epoch with a seed shared by all ranks; each step takes {@code batchSize} rows.
 * Where the stream stands ({@link Position}) is saved in checkpoints, so a resumed run sees the
 * same rows.
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

  /** Rank {@code rank}'s rows r, r + P, ... of {@code rows}, which every rank has whole. */
  public ShardedBatches(
      List<PackedSequence> rows, int rank, int worldSize, int batchSize, long seed) {
    this(own(rows, rank, worldSize), rows.size() / worldSize, (long) rows.size(), batchSize, seed);
  }

  private ShardedBatches(
      List<PackedSequence> shard, int perRank, long totalRows, int batchSize, long seed) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("data.batch-size must be >= 1, got " + batchSize);
    }
    if (perRank < batchSize) {
      throw new DataError(
          "the data gives "
              + totalRows
              + " rows, "
              + perRank
              + " per rank: fewer than one batch of "
              + batchSize
              + " per rank (use more data or a smaller data.batch-size)");
    }
    // Equal shards on every rank, so every rank takes the same number of steps per epoch.
    this.shard = List.copyOf(shard.subList(0, perRank));
    this.batchSize = batchSize;
    this.seed = seed;
    seek(new Position(0, 0));
  }

  /**
   * A rank's own rows (built from its share of the examples), of which it uses the first {@code
   * perRank}: the fewest rows any rank has, so that all take the same steps.
   */
  public static ShardedBatches ofShard(
      List<PackedSequence> own, int perRank, long totalRows, int batchSize, long seed) {
    if (perRank > own.size()) {
      throw new IllegalArgumentException(
          "perRank " + perRank + " exceeds this rank's " + own.size() + " rows");
    }
    return new ShardedBatches(own, perRank, totalRows, batchSize, seed);
  }

  private static List<PackedSequence> own(List<PackedSequence> rows, int rank, int worldSize) {
    List<PackedSequence> shard = new ArrayList<>();
    for (int i = rank; i < rows.size(); i += worldSize) {
      shard.add(rows.get(i));
    }
    return shard;
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
