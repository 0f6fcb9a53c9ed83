package ai.llep.trainer.data;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mixtures of files with weights and formats, read per rank. */
class ExampleReaderTest {
  @TempDir Path dir;

  private Path file(String name, int rows) throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= rows; i++) {
      text.append("{\"text\": \"").append(name).append(i).append("\"}\n\n");
    }
    return Files.writeString(dir.resolve(name + ".jsonl"), text);
  }

  private static List<String> texts(List<RawExample> examples) {
    return examples.stream().map(e -> ((RawExample.Text) e).text()).toList();
  }

  @Test
  void weightsRepeatAndSampleFilesAndLinesKeepTheirNumbers() throws IOException {
    List<DataFile> files =
        List.of(
            new DataFile(file("a", 3), 2, DataFormat.AUTO),
            new DataFile(file("b", 4), 0.5, DataFormat.TEXT));
    ExampleReader reader = new ExampleReader(false);
    List<RawExample> all = reader.readFirst(files, 7, 100);
    assertEquals(8, reader.mixtureSize());
    List<String> texts = texts(all);
    assertEquals(List.of("a1", "a2", "a3", "a1", "a2", "a3"), texts.subList(0, 6));
    List<String> sampled = texts.subList(6, 8);
    assertEquals(2, sampled.stream().distinct().filter(t -> t.startsWith("b")).count());
    assertEquals(texts, texts(new ExampleReader(false).readFirst(files, 7, 100)), "seeded");
    assertEquals(dir.resolve("a.jsonl") + ":5", all.get(2).source(), "blank lines still count");
    assertSame(all.get(0), all.get(3), "a repeated example is one object, tokenized once");
  }

  @Test
  void eachRankParsesOnlyItsOwnExamples() throws IOException {
    Path f = file("c", 5);
    Files.writeString(f, Files.readString(f).replace("{\"text\": \"c2\"}", "not json"));
    List<DataFile> files = List.of(DataFile.of(f));
    // Example 1 (line 3) is rank 1's of 2: rank 0 never parses it.
    assertEquals(List.of("c1", "c3", "c5"), texts(new ExampleReader(false).read(files, 1, 0, 2)));
    DataError e =
        assertThrows(DataError.class, () -> new ExampleReader(false).read(files, 1, 1, 2));
    assertEquals(f + ":3: not valid JSON", e.getMessage().replaceAll("(?s) \\(.*", ""));
    ExampleReader skipping = new ExampleReader(true);
    assertEquals(List.of("c4"), texts(skipping.read(files, 1, 1, 2)));
    assertEquals(1, skipping.skipped());
    List<String> union =
        IntStream.range(0, 3)
            .boxed()
            .flatMap(r -> texts(new ExampleReader(true).read(files, 1, r, 3)).stream())
            .sorted()
            .toList();
    assertEquals(List.of("c1", "c3", "c4", "c5"), union);
  }

  /**
   * Bytes that are not UTF-8 spoil their line only, named with file and line, and skippable; a rank
   * that does not own the line never reports it.
   */
  @Test
  void invalidUtf8NamesFileAndLineAndCanBeSkipped() throws IOException {
    byte[] good = "{\"text\": \"\u00e9\"}\r\n".getBytes(UTF_8);
    byte[] bad = "{\"text\": \"A\u00ff\"}\n".getBytes(ISO_8859_1);
    Path f = dir.resolve("mixed.jsonl");
    try (OutputStream out = Files.newOutputStream(f)) {
      out.write(good);
      out.write(bad);
      out.write(good, 0, good.length - 2);
    }
    List<DataFile> files = List.of(DataFile.of(f));

    DataError e =
        assertThrows(DataError.class, () -> new ExampleReader(false).readFirst(files, 1, 3));
    assertEquals(f + ":2: not valid UTF-8: byte 12 of the line is 0xff", e.getMessage());
    ExampleReader skipping = new ExampleReader(true);
    List<RawExample> examples = skipping.readFirst(files, 1, 3);
    assertEquals(3, skipping.mixtureSize(), "the bad line is still an example of the mixture");
    assertEquals(1, skipping.skipped());
    assertEquals(List.of(f + ":1", f + ":3"), examples.stream().map(RawExample::source).toList());
    assertEquals(List.of("\u00e9", "\u00e9"), texts(examples), "decoded as UTF-8");
    assertEquals(
        List.of(f + ":1", f + ":3"),
        new ExampleReader(false).read(files, 1, 0, 2).stream().map(RawExample::source).toList(),
        "rank 0 of 2 owns lines 1 and 3 and passes over line 2");
  }

  @Test
  void missingFileIsAnError() {
    Path missing = dir.resolve("none.jsonl");
    assertEquals(
        "data file " + missing + " does not exist",
        assertThrows(
                DataError.class,
                () -> new ExampleReader(false).readFirst(List.of(DataFile.of(missing)), 1, 5))
            .getMessage());
  }
}
