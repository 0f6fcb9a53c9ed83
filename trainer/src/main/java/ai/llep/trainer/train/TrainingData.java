package ai.llep.trainer.train;

import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.trainer.data.DataError;
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
      TrainSettings settings,
      TextTokenizer tokenizer,
      ChatTemplate template,
      int rank,
      int worldSize) {
    JsonlReader reader = new JsonlReader(settings.skipBadLines());
    List<RawExample> examples = reader.read(settings.dataFiles());
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
    List<PackedSequence> rows =
        TrainingRows.build(
            examples,
            template,
            tokenizer,
            new SequencePacker(settings.maxLength(), padId, settings.packing()));
    if (rank == 0) {
      long trained = rows.stream().mapToLong(PackedSequence::trainedTokens).sum();
      LOG.info(
          "data: {} examples -> {} rows of {} tokens ({} trained tokens), template {}",
          examples.size(),
          rows.size(),
          settings.maxLength(),
          trained,
          template.name());
    }
    return new ShardedBatches(rows, rank, worldSize, settings.batchSize(), settings.seed());
  }
}
