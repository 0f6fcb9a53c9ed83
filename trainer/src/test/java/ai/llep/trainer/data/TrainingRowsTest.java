package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Examples longer than a row: counted, and truncated, dropped or refused by data.truncation. */
class TrainingRowsTest {
  // The plain template over bytes: <bos>, prompt, completion, <eos>.
  private static final List<RawExample> EXAMPLES =
      List.of(
          new RawExample.PromptCompletion("ab", "cd", "train.jsonl:1"),
          new RawExample.PromptCompletion("abcdefgh", "ijklmnop", "train.jsonl:2"),
          new RawExample.PromptCompletion("a", "b", "train.jsonl:3"),
          new RawExample.PromptCompletion("abcdef", "ghij", "train.jsonl:4"));

  private static TrainingRows.Built build(Truncation truncation) {
    return TrainingRows.build(
        EXAMPLES,
        ChatTemplate.plain(),
        new ByteTokenizer(),
        new SequencePacker(8, 256, SequencePacker.Mode.PAD),
        truncation);
  }

  @Test
  void longExamplesAreCountedAndTruncated() {
    TrainingRows.Built built = build(Truncation.TRUNCATE);
    assertEquals(4, built.rows().size());
    assertEquals(List.of(6, 8, 4, 8), built.rows().stream().map(PackedSequence::length).toList());
    assertEquals(new OverLength(4, 2, 18, 8, Truncation.TRUNCATE), built.overLength());
    assertEquals(
        "data: 2 of 4 examples (50.0%) are longer than data.max-length=8 tokens (the longest has"
            + " 18): truncated (data.truncation=truncate)",
        built.overLength().describe());
  }

  @Test
  void dropLeavesLongExamplesOut() {
    TrainingRows.Built built = build(Truncation.DROP);
    assertEquals(List.of(6, 4), built.rows().stream().map(PackedSequence::length).toList());
    assertEquals(
        "data: 2 of 4 examples (50.0%) are longer than data.max-length=8 tokens (the longest has"
            + " 18): dropped (data.truncation=drop)",
        built.overLength().describe());
  }

  @Test
  void errorNamesFileLineAndLength() {
    DataError e = assertThrows(DataError.class, () -> build(Truncation.ERROR));
    assertEquals(
        "train.jsonl:2: the example has 18 tokens, more than data.max-length=8"
            + " (data.truncation=error; set it to truncate or drop, or raise data.max-length)",
        e.getMessage());
  }

  @Test
  void nothingTooLongSaysNothing() {
    TrainingRows.Built built =
        TrainingRows.build(
            EXAMPLES.subList(2, 3),
            ChatTemplate.plain(),
            new ByteTokenizer(),
            new SequencePacker(8, 256, SequencePacker.Mode.PACK),
            Truncation.ERROR);
    assertEquals("", built.overLength().describe());
    assertEquals(4, built.rows().getFirst().length());
  }
}
