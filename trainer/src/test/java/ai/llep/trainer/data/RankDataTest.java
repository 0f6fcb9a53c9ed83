package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatInput;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.EncodedChat;
import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.models.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each rank tokenizes only its own share of the examples, each once, and all ranks end with the
 * same number of rows: three ranks as threads, summing through an in-memory collective.
 */
class RankDataTest {
  private static final int RANKS = 3;

  @TempDir Path dir;

  /** chatml that records, per rank, which examples it encoded. */
  private record Counting(ChatTemplate inner, List<String> encoded) implements ChatTemplate {
    @Override
    public String name() {
      return "counting";
    }

    @Override
    public EncodedChat encode(ChatInput input, TextTokenizer tokenizer) {
      encoded.add((String) input.messages().getFirst().get("content"));
      return inner.encode(input, tokenizer);
    }

    @Override
    public Optional<String> jinjaSource() {
      return Optional.empty();
    }
  }

  @Test
  void eachRankTokenizesItsShareOnceAndAllTakeTheSameSteps() throws Exception {
    StringBuilder a = new StringBuilder();
    for (int i = 0; i < 10; i++) {
      a.append("{\"prompt\": \"a").append(i).append("\", \"completion\": \"x\"}\n");
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      b.append("{\"instruction\": \"b").append(i).append("\", \"output\": \"y\"}\n");
    }
    DataOptions options =
        new DataOptions(
            List.of(
                DataFile.of(Files.writeString(dir.resolve("a.jsonl"), a)),
                new DataFile(Files.writeString(dir.resolve("b.jsonl"), b), 3, DataFormat.ALPACA)),
            new TemplateSetting("chatml", TemplateOptions.NONE),
            64,
            SequencePacker.Mode.PAD,
            2,
            false,
            Truncation.TRUNCATE);
    List<List<String>> encoded = new ArrayList<>();
    for (int r = 0; r < RANKS; r++) {
      encoded.add(Collections.synchronizedList(new ArrayList<>()));
    }
    List<Future<ShardedBatches>> ranks =
        ThreadRanks.run(
            RANKS,
            (rank, sum) ->
                RankData.load(
                    options,
                    5,
                    new ByteTokenizer(),
                    new ByteTokenizer().vocabSize(),
                    new Counting(ChatTemplate.chatml(), encoded.get(rank)),
                    rank,
                    RANKS,
                    sum));
    Set<Integer> steps = new HashSet<>();
    for (Future<ShardedBatches> rank : ranks) {
      steps.add(rank.get().stepsPerEpoch());
    }
    // 10 + 3 * 4 = 22 examples: 8, 7 and 7 rows; every rank uses 7, 3 steps of 2.
    assertEquals(Set.of(3), steps);
    Set<String> all = new HashSet<>();
    int total = 0;
    for (int r = 0; r < RANKS; r++) {
      List<String> mine = encoded.get(r);
      assertEquals(new HashSet<>(mine).size(), mine.size(), "rank " + r + " encoded a row twice");
      total += mine.size();
      all.addAll(mine);
    }
    // Every rank encodes only its own share: together they encode each distinct example about
    // once (a repeated example lands on several ranks), never the 14 x 3 of every rank doing all.
    assertEquals(14, all.size());
    assertEquals(22, total, "encodes over all ranks");
    assertEquals(List.of("a0", "a3", "a6", "a9", "b2", "b1", "b0", "b3"), encoded.get(0));
  }
}
