package ai.llep.trainer.data;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlReaderTest {
  @TempDir Path dir;

  private Path file(String text) throws IOException {
    return Files.writeString(dir.resolve("train.jsonl"), text);
  }

  @Test
  void readsBothFormatsAndSkipsBlankLines() throws IOException {
    Path f =
        file(
            "{\"prompt\": \"Q\", \"completion\": \"A\"}\n\n"
                + "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"},"
                + " {\"role\": \"assistant\", \"content\": \"yo\"}]}\n");
    List<RawExample> examples = new JsonlReader(false).read(List.of(f));
    assertEquals(2, examples.size());
    RawExample.PromptCompletion pc =
        assertInstanceOf(RawExample.PromptCompletion.class, examples.get(0));
    assertEquals("Q", pc.prompt());
    assertEquals("A", pc.completion());
    RawExample.Conversation c = assertInstanceOf(RawExample.Conversation.class, examples.get(1));
    assertEquals(
        List.of(new RawExample.Turn("user", "hi"), new RawExample.Turn("assistant", "yo")),
        c.turns());
    assertEquals(f + ":3", c.source());
  }

  @Test
  void malformedLinesNameFileAndLine() throws IOException {
    Path f =
        file(
            "{\"prompt\": \"Q\", \"completion\": \"A\"}\n{\"prompt\": 3, \"completion\": \"A\"}\n");
    DataError e = assertThrows(DataError.class, () -> new JsonlReader(false).read(List.of(f)));
    assertEquals(f + ":2: \"prompt\" must be a string, got a number", e.getMessage());
    Path g = file("{oops\n");
    assertEquals(
        g + ":1: not valid JSON",
        assertThrows(DataError.class, () -> new JsonlReader(false).read(List.of(g)))
            .getMessage()
            .replaceAll(" \\(.*", ""));
    Path h = file("{\"text\": \"x\"}\n");
    assertEquals(
        h + ":1: expected \"prompt\"/\"completion\" or \"messages\", got keys [text]",
        assertThrows(DataError.class, () -> new JsonlReader(false).read(List.of(h))).getMessage());
    Path m = file("{\"messages\": [{\"role\": \"user\"}]}\n");
    assertEquals(
        m + ":1: messages[0]: missing \"content\"",
        assertThrows(DataError.class, () -> new JsonlReader(false).read(List.of(m))).getMessage());
  }

  @Test
  void skipBadLinesCountsThem() throws IOException {
    Path f = file("[1]\n{\"prompt\": \"Q\", \"completion\": \"A\"}\nnope\n");
    JsonlReader reader = new JsonlReader(true);
    assertEquals(1, reader.read(List.of(f)).size());
    assertEquals(2, reader.skipped());
  }

  /** Bytes that are not UTF-8 spoil their line only, named with file and line, and skippable. */
  @Test
  void invalidUtf8NamesFileAndLineAndCanBeSkipped() throws IOException {
    byte[] good = "{\"prompt\": \"Q\", \"completion\": \"\u00e9\"}\r\n".getBytes(UTF_8);
    byte[] bad = "{\"prompt\": \"Q\", \"completion\": \"A\u00ff\"}\n".getBytes(ISO_8859_1);
    Path f = dir.resolve("mixed.jsonl");
    try (OutputStream out = Files.newOutputStream(f)) {
      out.write(good);
      out.write(bad);
      out.write(good, 0, good.length - 2);
    }

    DataError e = assertThrows(DataError.class, () -> new JsonlReader(false).read(List.of(f)));
    assertEquals(f + ":2: not valid UTF-8: byte 33 of the line is 0xff", e.getMessage());
    JsonlReader skipping = new JsonlReader(true);
    List<RawExample> examples = skipping.read(List.of(f));
    assertEquals(1, skipping.skipped());
    assertEquals(List.of(f + ":1", f + ":3"), examples.stream().map(RawExample::source).toList());
    RawExample.PromptCompletion last =
        assertInstanceOf(RawExample.PromptCompletion.class, examples.get(1));
    assertEquals("\u00e9", last.completion());
  }

  @Test
  void missingFileIsAnError() {
    Path missing = dir.resolve("none.jsonl");
    assertEquals(
        "data file " + missing + " does not exist",
        assertThrows(DataError.class, () -> new JsonlReader(false).read(List.of(missing)))
            .getMessage());
  }
}
