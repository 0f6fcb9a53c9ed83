package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TemplateOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * data.eval-fraction: each file's held-out lines are chosen by the seed, the same on every rank and
 * launch, and the training mixture never contains them, whatever the file's weight.
 */
class EvalSplitTest {
  @TempDir Path dir;

  private Path file(String name, int rows) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= rows; i++) {
      text.append("{\"text\": \"").append(name).append(i).append("\"}\n");
    }
    return Files.writeString(dir.resolve(name + ".jsonl"), text);
  }

  /** Every rank's examples of {@code holdout}'s part, texts in rank order. */
  private static List<String> read(
      List<DataFile> files, long seed, DataMixture.Holdout holdout, int ranks) {
    List<String> texts = new ArrayList<>();
    for (int rank = 0; rank < ranks; rank++) {
      for (RawExample e : new ExampleReader(false).read(files, seed, holdout, rank, ranks)) {
        texts.add(((RawExample.Text) e).text());
      }
    }
    return texts;
  }

  @Test
  void theHeldOutLinesAreDisjointFromTrainingAndDecidedByTheSeed() throws IOException {
    List<DataFile> files =
        List.of(new DataFile(file("a", 40), 2, DataFormat.AUTO), DataFile.of(file("b", 10)));
    DataMixture.Holdout train = new DataMixture.Holdout(0.2, false);
    DataMixture.Holdout eval = new DataMixture.Holdout(0.2, true);
    List<String> held = read(files, 9, eval, 3);
    List<String> trained = read(files, 9, train, 3);

    assertEquals(8 + 2, held.size(), "20% of each file, each once");
    assertEquals(8, held.stream().filter(t -> t.startsWith("a")).count());
    assertEquals(held.size(), new HashSet<>(held).size(), "held out once each");
    Set<String> overlap = new HashSet<>(held);
    overlap.retainAll(trained);
    assertEquals(Set.of(), overlap, "never trained on");
    Set<String> all = new HashSet<>(held);
    all.addAll(trained);
    assertEquals(50, all.size(), "every other line trains");
    assertEquals(2 * 32 + 8, trained.size(), "the weight repeats the training part only");

    assertEquals(held, read(files, 9, eval, 3), "the same split again");
    assertEquals(new HashSet<>(held), new HashSet<>(read(files, 9, eval, 2)), "on any ranks");
    assertNotEquals(new HashSet<>(held), new HashSet<>(read(files, 10, eval, 3)), "by the seed");
  }

  @Test
  void theTrainingRowsOfARankLeaveTheHeldOutLinesOut() throws IOException {
    List<DataFile> files = List.of(DataFile.of(file("c", 30)));
    DataOptions options =
        new DataOptions(
            files,
            new TemplateSetting("chatml", TemplateOptions.NONE),
            16,
            SequencePacker.Mode.PAD,
            1,
            false,
            Truncation.TRUNCATE,
            new EvalData(List.of(), 0.1));
    ShardedBatches batches =
        RankData.load(
            options, 3, new ByteTokenizer(), 256, ChatTemplate.chatml(), 0, 1, RankSum.ALONE);
    assertEquals(27, batches.stepsPerEpoch(), "30 lines, 3 held out");
    EvalBatches eval =
        EvalSet.load(
                options, 3, new ByteTokenizer(), 256, ChatTemplate.chatml(), 0, 1, RankSum.ALONE)
            .orElseThrow();
    assertEquals(3, eval.rows());
    Set<String> trained = new HashSet<>();
    for (int i = 0; i < 27; i++) {
      trained.add(text(batches.next().getFirst()));
    }
    for (List<PackedSequence> batch : eval.batches()) {
      assertTrue(trained.add(text(batch.getFirst())), "an eval row trains");
    }
  }

  /** A row's text: its bytes up to the padding. */
  private static String text(PackedSequence row) {
    StringBuilder out = new StringBuilder();
    for (int t = 0; t < row.length(); t++) {
      out.append((char) row.inputIds()[t]);
    }
    return out.toString();
  }
}
