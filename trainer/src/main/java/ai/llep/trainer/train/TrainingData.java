package ai.llep.trainer.train;

import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.trainer.data.DataError;
import ai.llep.trainer.data.DataOptions;
import ai.llep.trainer.data.JsonlReader;
import ai.llep.trainer.data.PackedSequence;
import ai.llep.trainer.data.RawExample;
import ai.llep.trainer.data.SequencePacker;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.data.TrainingRows;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/** Reads, tokenizes and shards the training data of one rank. */
final class TrainingData {
  private static final Logger LOG = LogManager.getLogger(TrainingData.class);

  private TrainingData() {}

  static ShardedBatches load(
      DataOptions data,
      long seed,
      TextTokenizer tokenizer,
      ChatTemplate template,
      int rank,
      int worldSize) {
    JsonlReader reader = new JsonlReader(data.skipBadLines());
    List<RawExample> examples = reader.read(data.files());
    if (reader.skipped() > 0) {
      LOG.warn("skipped {} malformed lines (data.skip-bad-lines=true)", reader.skipped());
    }
    int padId =
        tokenizer
            .padId()
            .orElseGet(
                () ->
                    tokenizer
                        .eosId()
                        .orElseThrow(
                            () ->
                                new DataError(
                                    "the tokenizer has neither a pad nor an eos token to pad rows with")));
    TrainingRows.Built built =
        TrainingRows.build(
            examples,
            template,
            tokenizer,
            new SequencePacker(data.maxLength(), padId, data.packing()),
            data.truncation());
    List<PackedSequence> rows = built.rows();
    if (rows.isEmpty()) {
      throw new DataError(
          "no training rows: every example of data.files was dropped or skipped ("
              + built.overLength().count()
              + " longer than data.max-length="
              + data.maxLength()
              + ", "
              + reader.skipped()
              + " malformed)");
    }
    if (rank == 0) {
      long trained = rows.stream().mapToLong(PackedSequence::trainedTokens).sum();
      LOG.info(
          "data: {} examples -> {} rows of {} tokens ({} trained tokens), template {}",
          examples.size(),
          rows.size(),
          data.maxLength(),
          trained,
          template.name());
      String overLength = built.overLength().describe();
      if (!overLength.isEmpty()) {
        LOG.warn(overLength);
      }
    }
    return new ShardedBatches(rows, rank, worldSize, data.batchSize(), seed);
  }
}
