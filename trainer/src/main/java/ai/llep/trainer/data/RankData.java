package ai.llep.trainer.data;

import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads, tokenizes and packs one rank's share of the training data, then agrees with the other
 * ranks (one small sum) on how many rows each uses, so that every rank takes the same number of
 * steps per epoch. Rank r reads and tokenizes examples r, r + P, r + 2P, ... of the mixture only.
 */
public final class RankData {
  private static final Logger LOG = LogManager.getLogger(RankData.class);
  // examples, too long, skipped, then per rank: rows, trained tokens, longest example.
  private static final int FIXED = 3;

  private RankData() {}

  public static ShardedBatches load(
      DataOptions data,
      long seed,
      TextTokenizer tokenizer,
      int vocabSize,
      ChatTemplate template,
      int rank,
      int worldSize,
      RankSum ranks) {
    ExampleReader reader = new ExampleReader(data.skipBadLines());
    // With data.eval-fraction, the held-out lines never reach training.
    DataMixture.Holdout training =
        data.eval().heldOut()
            ? new DataMixture.Holdout(data.eval().fraction(), false)
            : DataMixture.Holdout.NONE;
    List<RawExample> examples = reader.read(data.files(), seed, training, rank, worldSize);
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
    long[] all = ranks.sum(mine);
    int perRank = Integer.MAX_VALUE;
    long totalRows = 0;
    long trained = 0;
    int longest = 0;
    for (int r = 0; r < worldSize; r++) {
      perRank = (int) Math.min(perRank, all[FIXED + r]);
      totalRows += all[FIXED + r];
      trained += all[FIXED + worldSize + r];
      longest = (int) Math.max(longest, all[FIXED + 2 * worldSize + r]);
    }
    if (totalRows == 0) {
      throw new DataError(
          "no training rows: every example of data.files"
              + (data.eval().heldOut() ? " not held out by data.eval-fraction" : "")
              + " was dropped or skipped ("
              + all[1]
              + " longer than data.max-length="
              + data.maxLength()
              + ", "
              + all[2]
              + " malformed)");
    }
    if (rank == 0) {
      report(data, template, reader.mixtureSize(), all, perRank, worldSize, trained, longest);
    }
    return ShardedBatches.ofShard(rows, perRank, totalRows, data.batchSize(), seed);
  }

  private static void report(
      DataOptions data,
      ChatTemplate template,
      int mixture,
      long[] all,
      int perRank,
      int worldSize,
      long trained,
      int longest) {
    long totalRows = 0;
    for (int r = 0; r < worldSize; r++) {
      totalRows += all[FIXED + r];
    }
    LOG.info(
        "data: {} examples ({} files) -> {} rows of {} tokens ({} trained tokens), template {}{}",
        mixture,
        data.files().size(),
        totalRows,
        data.maxLength(),
        trained,
        template.name(),
        totalRows > (long) perRank * worldSize
            ? "; "
                + (totalRows - (long) perRank * worldSize)
                + " rows left out so that every rank has "
                + perRank
            : "");
    if (all[2] > 0) {
      LOG.warn("skipped {} malformed lines (data.skip-bad-lines=true)", all[2]);
    }
    String overLength =
        new OverLength((int) all[0], (int) all[1], longest, data.maxLength(), data.truncation())
            .describe();
    if (!overLength.isEmpty()) {
      LOG.warn(overLength);
    }
  }

  static int padId(TextTokenizer tokenizer) {
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
