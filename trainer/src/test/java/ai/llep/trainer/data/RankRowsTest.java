package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TemplateOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two ranks as threads agree on the counts of all ranks' rows, whichever rank holds which. */
class RankRowsTest {
  @TempDir Path dir;

  @Test
  void everyRankSeesTheCountsOfAllRanks() throws Exception {
    // Line k belongs to rank k mod 2. With BOS and EOS the examples have 4, 5, 3, 12, 4 and 3
    // tokens, every one in the loss; rank 0 gets the line that is no JSON and the one too long.
    Path file =
        Files.writeString(
            dir.resolve("text.jsonl"),
            """
            {"text": "aa"}
            {"text": "bbb"}
            not json
            {"text": "d"}
            {"text": "cccccccccc"}
            {"text": "ee"}
            {"text": "f"}
            """);
    DataOptions data =
        new DataOptions(
            List.of(DataFile.of(file)),
            new TemplateSetting("chatml", TemplateOptions.NONE),
            8,
            SequencePacker.Mode.PAD,
            1,
            true,
            Truncation.DROP);
    List<Future<RankRows>> ranks =
        ThreadRanks.run(
            2,
            (rank, sum) -> {
              ExampleReader reader = new ExampleReader(data.skipBadLines());
              return RankRows.build(
                  reader.read(data.files(), 7, rank, 2),
                  reader,
                  data,
                  new ByteTokenizer(),
                  new ByteTokenizer().vocabSize(),
                  ChatTemplate.chatml(),
                  rank,
                  2,
                  sum);
            });
    long[] held = {2, 3};
    for (int r = 0; r < 2; r++) {
      RankRows rows = ranks.get(r).get();
      String where = "rank " + r;
      assertEquals(held[r], rows.rows().size(), where + ": its own rows");
      assertEquals(held[0], rows.rowsOf(0), where + ": rank 0's rows");
      assertEquals(held[1], rows.rowsOf(1), where + ": rank 1's rows");
      assertEquals(5, rows.totalRows(), where + ": the example over 8 tokens is dropped");
      assertEquals(2, rows.fewestRows(), where);
      assertEquals(3, rows.mostRows(), where);
      assertEquals(4 + 5 + 3 + 4 + 3, rows.lossTokens(), where + ": loss tokens");
      assertEquals(1, rows.tooLong(), where + ": examples over data.max-length");
      assertEquals(1, rows.skipped(), where + ": malformed lines");
      assertEquals(
          "data: 1 of 6 examples (16.7%) are longer than data.max-length=8 tokens (the longest has"
              + " 12): dropped (data.truncation=drop)",
          rows.overLength(data).describe(), where);
    }
  }
}
