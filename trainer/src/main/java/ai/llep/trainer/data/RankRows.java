package ai.llep.trainer.data;

import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import java.util.List;

/**
 * One rank's packed rows and the counts of every rank, agreed in one small sum: what loading the
 * training set ({@link RankData}) and the eval set ({@link EvalSet}) share. Each then decides from
 * the counts how many rows or batches a rank uses.
 */
final class RankRows {
  // examples, too long, skipped, then per rank: rows, loss tokens, longest example.
  private static final int FIXED = 3;

  private final List<PackedSequence> rows;
  private final long[] all;
  private final int worldSize;

  private RankRows(List<PackedSequence> rows, long[] all, int worldSize) {
    this.rows = rows;
    this.all = all;
    this.worldSize = worldSize;
  }

  /**
   * Tokenizes and packs this rank's {@code examples} as {@code data} says, then sums the counts
   * over the ranks. Collective.
   *
   * @param reader the reader that read {@code examples}, for the lines it skipped
   */
  static RankRows build(
      List<RawExample> examples,
      ExampleReader reader,
      DataOptions data,
      TextTokenizer tokenizer,
      int vocabSize,
      ChatTemplate template,
      int rank,
      int worldSize,
      RankSum ranks) {
    TrainingRows.Built built =
        TrainingRows.build(
            examples,
            template,
            tokenizer,
            vocabSize,
            new SequencePacker(data.maxLength(), padId(tokenizer), data.packing()),
            data.truncation());
    List<PackedSequence> rows = built.rows();
    long[] mine = new long[FIXED + 3 * worldSize];
    mine[0] = examples.size();
    mine[1] = built.overLength().count();
    mine[2] = reader.skipped();
    mine[FIXED + rank] = rows.size();
    mine[FIXED + worldSize + rank] = rows.stream().mapToLong(PackedSequence::trainedTokens).sum();
    mine[FIXED + 2 * worldSize + rank] = built.overLength().longest();
    return new RankRows(rows, ranks.sum(mine), worldSize);
  }

  /** This rank's rows. */
  List<PackedSequence> rows() {
    return rows;
  }

  /** Rank {@code r}'s row count. */
  long rowsOf(int r) {
    return all[FIXED + r];
  }

  long totalRows() {
    long total = 0;
    for (int r = 0; r < worldSize; r++) {
      total += rowsOf(r);
    }
    return total;
  }

  /** The row count of the rank with the fewest rows. */
  long fewestRows() {
    long fewest = Long.MAX_VALUE;
    for (int r = 0; r < worldSize; r++) {
      fewest = Math.min(fewest, rowsOf(r));
    }
    return fewest;
  }

  /** The row count of the rank with the most rows. */
  long mostRows() {
    long most = 0;
    for (int r = 0; r < worldSize; r++) {
      most = Math.max(most, rowsOf(r));
    }
    return most;
  }

  /** The tokens of all ranks' rows that count in the loss. */
  long lossTokens() {
    long tokens = 0;
    for (int r = 0; r < worldSize; r++) {
      tokens += all[FIXED + worldSize + r];
    }
    return tokens;
  }

  /** Examples of all ranks longer than {@code data.max-length}. */
  long tooLong() {
    return all[1];
  }

  /** Malformed lines all ranks skipped. */
  long skipped() {
    return all[2];
  }

  /** The examples of all ranks longer than {@code data.max-length}, and what was done with them. */
  OverLength overLength(DataOptions data) {
    long longest = 0;
    for (int r = 0; r < worldSize; r++) {
      longest = Math.max(longest, all[FIXED + 2 * worldSize + r]);
    }
    return new OverLength(
        (int) all[0], (int) all[1], (int) longest, data.maxLength(), data.truncation());
  }

  /** The tokenizer's pad token, or its eos token where it has none. */
  private static int padId(TextTokenizer tokenizer) {
    return tokenizer
        .padId()
        .orElseGet(
            () ->
                tokenizer
                    .eosId()
                    .orElseThrow(
                        () ->
                            new DataError(
                                "the tokenizer has neither a pad nor an eos token to pad rows"
                                    + " with")));
  }
}
