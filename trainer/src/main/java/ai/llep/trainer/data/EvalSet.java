package ai.llep.trainer.data;

import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Reads, tokenizes and packs one rank's share of the eval set ({@code data.eval-files}, or the
 * lines {@code data.eval-fraction} holds out of {@code data.files}) the way training rows are made,
 * then agrees with the other ranks (one small sum) on how many batches an evaluation runs. Rank r
 * takes examples r, r + P, ... of the eval mixture, as training does.
 */
public final class EvalSet {
  private static final Logger LOG = LogManager.getLogger(EvalSet.class);

  private EvalSet() {}

  /**
   * This rank's eval batches; empty when {@code data} has no eval set. Collective.
   *
   * @throws DataError on every rank when some rank gets no eval row, naming the key to change
   */
  public static Optional<EvalBatches> load(
      DataOptions data,
      long seed,
      TextTokenizer tokenizer,
      int vocabSize,
      ChatTemplate template,
      int rank,
      int worldSize,
      RankSum ranks) {
    EvalData eval = data.eval();
    if (!eval.present()) {
      return Optional.empty();
    }
    ExampleReader reader = new ExampleReader(data.skipBadLines());
    List<RawExample> examples =
        eval.heldOut()
            ? reader.read(
                data.files(), seed, new DataMixture.Holdout(eval.fraction(), true), rank, worldSize)
            : reader.read(eval.files(), seed, rank, worldSize);
    RankRows built =
        RankRows.build(
            examples, reader, data, tokenizer, vocabSize, template, rank, worldSize, ranks);
    requireRowsOnEveryRank(eval, reader.mixtureSize(), built, worldSize);
    long totalRows = built.totalRows();
    long tokens = built.lossTokens();
    int batchCount = (int) ((built.mostRows() + data.batchSize() - 1) / data.batchSize());
    if (rank == 0) {
      LOG.info(
          "eval data: {} examples ({}) -> {} rows of {} tokens ({} loss tokens); {} batches of up"
              + " to {} rows per rank per evaluation",
          reader.mixtureSize(),
          eval.heldOut()
              ? "data.eval-fraction=" + eval.fraction() + " of data.files, never trained on"
              : eval.files().size() + " data.eval-files",
          totalRows,
          data.maxLength(),
          tokens,
          batchCount,
          data.batchSize());
      String overLength = built.overLength(data).describe();
      if (!overLength.isEmpty()) {
        LOG.warn("eval {}", overLength);
      }
      if (built.skipped() > 0) {
        LOG.warn(
            "eval data: skipped {} malformed lines (data.skip-bad-lines=true)", built.skipped());
      }
    }
    return Optional.of(
        new EvalBatches(built.rows(), data.batchSize(), batchCount, totalRows, tokens));
  }

  /** Every rank evaluates its own share, so each needs at least one row. */
  private static void requireRowsOnEveryRank(
      EvalData eval, int examples, RankRows built, int worldSize) {
    int empty = 0;
    while (empty < worldSize && built.rowsOf(empty) > 0) {
      empty++;
    }
    if (empty == worldSize) {
      return;
    }
    long totalRows = built.totalRows();
    String more =
        eval.heldOut()
            ? "raise data.eval-fraction (now " + eval.fraction() + ") or add examples to data.files"
            : "add examples to data.eval-files";
    if (totalRows == 0) {
      throw new DataError(
          "the eval set ("
              + eval.key()
              + ") is empty: "
              + (examples == 0
                  ? "it holds no example"
                  : examples + " examples, none left as a row (data.truncation, skipped lines)")
              + "; "
              + more);
    }
    throw new DataError(
        "the eval set ("
            + eval.key()
            + ") gives "
            + totalRows
            + " rows and none to rank "
            + empty
            + " of "
            + worldSize
            + ": every rank evaluates its own share, so the set needs at least "
            + worldSize
            + " rows; "
            + more);
  }
}
