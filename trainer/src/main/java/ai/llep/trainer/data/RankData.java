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
    RankRows built =
        RankRows.build(
            examples, reader, data, tokenizer, vocabSize, template, rank, worldSize, ranks);
    if (built.totalRows() == 0) {
      throw new DataError(
          "no training rows: every example of data.files"
              + (data.eval().heldOut() ? " not held out by data.eval-fraction" : "")
              + " was dropped or skipped ("
              + built.tooLong()
              + " longer than data.max-length="
              + data.maxLength()
              + ", "
              + built.skipped()
              + " malformed)");
    }
    int perRank = (int) built.fewestRows();
    if (rank == 0) {
      report(data, template, reader.mixtureSize(), built, perRank, worldSize);
    }
    return ShardedBatches.ofShard(built.rows(), perRank, built.totalRows(), data.batchSize(), seed);
  }

  private static void report(
      DataOptions data,
      ChatTemplate template,
      int mixture,
      RankRows built,
      int perRank,
      int worldSize) {
    long totalRows = built.totalRows();
    LOG.info(
        "data: {} examples ({} files) -> {} rows of {} tokens ({} trained tokens), template {}{}",
        mixture,
        data.files().size(),
        totalRows,
        data.maxLength(),
        built.lossTokens(),
        template.name(),
        totalRows > (long) perRank * worldSize
            ? "; "
                + (totalRows - (long) perRank * worldSize)
                + " rows left out so that every rank has "
                + perRank
            : "");
    if (built.skipped() > 0) {
      LOG.warn("skipped {} malformed lines (data.skip-bad-lines=true)", built.skipped());
    }
    String overLength = built.overLength(data).describe();
    if (!overLength.isEmpty()) {
      LOG.warn(overLength);
    }
  }
}
