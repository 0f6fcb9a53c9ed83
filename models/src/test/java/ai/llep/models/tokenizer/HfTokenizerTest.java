package ai.llep.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DJL's native tokenizers, loaded from hand-made files with {@code ai.djl.offline=true} (set by the
 * build for every test): the library comes out of the DJL jar, nothing is downloaded.
 */
class HfTokenizerTest {
  @TempDir Path dir;

  @Test
  void byteLevelBpeEncodesAndDecodes() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.open(TinyTokenizers.byteLevelBpe(dir))) {
      int[] ids = tokenizer.encode("hello world");
      assertArrayEquals(new int[] {259, 260, 'o', 'r', 'l', 'd'}, ids);
      assertEquals("hello world", tokenizer.decode(ids));
      assertArrayEquals(new int[] {'h', 'i', '\n', 0xC3, 0xA9}, tokenizer.encode("hi\né"));
      assertEquals("hi\né", tokenizer.decode(tokenizer.encode("hi\né")));
      assertEquals(264, tokenizer.vocabSize());
      assertEquals(OptionalInt.empty(), tokenizer.bosId());
      assertEquals(OptionalInt.of(263), tokenizer.eosId());
      assertEquals(OptionalInt.of(261), tokenizer.padId());
      assertEquals(OptionalInt.of(262), tokenizer.specialTokenId("<|im_start|>"));
      assertEquals(OptionalInt.empty(), tokenizer.specialTokenId("<|nope|>"));
    }
  }

  @Test
  void specialTokensInTextAndInDecoding() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.open(TinyTokenizers.byteLevelBpe(dir))) {
      assertArrayEquals(new int[] {'h', 'i', 263}, tokenizer.encode("hi<|im_end|>"));
      assertEquals("<|im_start|>hi<|im_end|>", tokenizer.decode(new int[] {262, 'h', 'i', 263}));
      assertEquals("hi", tokenizer.decode(new int[] {262, 'h', 'i', 263}, true));
      assertEquals(
          "token id 264 is outside [0, 264) of " + dir.resolve("tokenizer.json"),
          assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {264}))
              .getMessage());
    }
  }

  @Test
  void neitherTruncatesNorPads() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.open(TinyTokenizers.byteLevelBpe(dir))) {
      assertEquals(2000, tokenizer.encode("a".repeat(2000)).length);
      assertEquals(0, tokenizer.encode("").length);
    }
  }

  @Test
  void unigramWithWordMarkers() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.open(TinyTokenizers.unigram(dir))) {
      assertArrayEquals(new int[] {3, 5, 4}, tokenizer.encode("[INST] hi [/INST]"));
      assertArrayEquals(new int[] {6}, tokenizer.encode("yo"));
      assertEquals(8, tokenizer.vocabSize());
      assertEquals(OptionalInt.of(1), tokenizer.bosId());
      assertEquals(OptionalInt.of(2), tokenizer.eosId());
      assertEquals(OptionalInt.empty(), tokenizer.padId());
      assertEquals("[INST] hi [/INST] yo", tokenizer.decode(new int[] {1, 3, 5, 4, 6, 2}, true));
    }
  }

  @Test
  void badFilesAreNamed() throws IOException {
    assertEquals(
        "no tokenizer file " + dir.resolve("tokenizer.json"),
        assertThrows(IOException.class, () -> HfTokenizer.open(dir)).getMessage());
    Path broken = Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": ");
    assertTrue(
        assertThrows(IOException.class, () -> HfTokenizer.open(broken))
            .getMessage()
            .startsWith(broken + " is not a valid tokenizer file: "));
    Files.writeString(broken, "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": \"x\"}}}");
    assertTrue(
        assertThrows(IOException.class, () -> HfTokenizer.open(broken))
            .getMessage()
            .startsWith(broken + " is not a valid tokenizer file: malformed vocabulary"));
    Files.writeString(broken, "{\"model\": {\"type\": \"Nope\", \"vocab\": {\"a\": 0}}}");
    assertTrue(
        assertThrows(IOException.class, () -> HfTokenizer.open(broken))
            .getMessage()
            .startsWith("DJL's tokenizers could not load " + broken + ": "));
    TinyTokenizers.byteLevelBpe(dir);
    Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": \"</s>\"}");
    assertEquals(
        broken + ": eos_token '</s>' is not a token of this tokenizer",
        assertThrows(IOException.class, () -> HfTokenizer.open(dir)).getMessage());
  }
}
