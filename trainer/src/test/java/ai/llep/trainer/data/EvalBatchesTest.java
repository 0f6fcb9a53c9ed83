package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TemplateOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each rank's eval batches: the same count on every rank, and at least one row per rank. */
class EvalBatchesTest {
  @TempDir Path dir;

  private static PackedSequence row(int token) {
    return new PackedSequence(new int[] {token, token, token}, new int[] {-100, token, token});
  }

  @Test
  void aRankShortOfRowsRunsPaddingThatCountsNoToken() {
    List<PackedSequence> rows = List.of(row(1), row(2), row(3));
    EvalBatches batches = new EvalBatches(rows, 2, 4, 9, 18);
    List<List<PackedSequence>> all = batches.batches();
    assertEquals(4, all.size());
    assertEquals(rows.subList(0, 2), all.get(0));
    assertEquals(rows.subList(2, 3), all.get(1));
    for (List<PackedSequence> filler : all.subList(2, 4)) {
      assertEquals(1, filler.size());
      assertEquals(0, filler.getFirst().trainedTokens());
      assertEquals(3, filler.getFirst().inputIds().length, "as long as the rank's rows");
    }
    assertThrows(IllegalArgumentException.class, () -> new EvalBatches(List.of(), 2, 1, 0, 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> new EvalBatches(List.of(row(1), row(2), row(3)), 2, 1, 3, 6));
  }

  @Test
  void anEvalSetThatLeavesARankWithoutRowsSaysWhatToDo() throws Exception {
    Path eval =
        Files.writeString(dir.resolve("eval.jsonl"), "{\"text\": \"a\"}\n{\"text\": \"b\"}\n");
    Path train = Files.writeString(dir.resolve("train.jsonl"), "{\"text\": \"c\"}\n");
    DataOptions options = options(train, new EvalData(List.of(DataFile.of(eval)), 0));
    List<Throwable> errors = loadOnRanks(options, 3);
    for (int rank = 0; rank < 3; rank++) {
      assertEquals(
          "the eval set (data.eval-files) gives 2 rows and none to rank 2 of 3: every rank"
              + " evaluates its own share, so the set needs at least 3 rows; add examples to"
              + " data.eval-files",
          errors.get(rank).getMessage(),
          "rank " + rank);
    }
    DataOptions held = options(train, new EvalData(List.of(), 0.2));
    assertEquals(
        "the eval set (data.eval-fraction) is empty: it holds no example; raise"
            + " data.eval-fraction (now 0.2) or add examples to data.files",
        loadOnRanks(held, 1).getFirst().getMessage());
  }

  private static DataOptions options(Path train, EvalData eval) {
    return new DataOptions(
        List.of(DataFile.of(train)),
        new TemplateSetting("chatml", TemplateOptions.NONE),
        16,
        SequencePacker.Mode.PAD,
        4,
        false,
        Truncation.TRUNCATE,
        eval);
  }

  /** Each rank's error loading the eval set, the ranks as threads summing in memory. */
  private static List<Throwable> loadOnRanks(DataOptions options, int ranks) throws Exception {
    List<Throwable> errors = new ArrayList<>();
    for (Future<?> f :
        ThreadRanks.run(
            ranks,
            (rank, sum) ->
                EvalSet.load(
                    options,
                    1,
                    new ByteTokenizer(),
                    256,
                    ChatTemplate.chatml(),
                    rank,
                    ranks,
                    sum))) {
      try {
        f.get();
        errors.add(null);
      } catch (ExecutionException e) {
        errors.add(e.getCause());
      }
    }
    return errors;
  }
}
