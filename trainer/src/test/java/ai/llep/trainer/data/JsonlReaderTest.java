package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
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

  @Test
  void missingFileIsAnError() {
    Path missing = dir.resolve("none.jsonl");
    assertEquals(
        "data file " + missing + " does not exist",
        assertThrows(DataError.class, () -> new JsonlReader(false).read(List.of(missing)))
            .getMessage());
  }
}
