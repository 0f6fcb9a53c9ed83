package ai.llep.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {
  private final ByteTokenizer tokenizer = new ByteTokenizer();

  @Test
  void encodesUtf8Bytes() {
    assertArrayEquals(new int[] {'h', 0xC3, 0xA9, '\n'}, tokenizer.encode("hé\n"));
    assertEquals("hé\n", tokenizer.decode(tokenizer.encode("hé\n")));
    assertArrayEquals(new int[] {0xF0, 0x9F, 0x99, 0x82}, tokenizer.encode("🙂"));
  }

  @Test
  void specialTokenTextStaysBytes() {
    assertArrayEquals(new int[] {'<', 'e', 'o', 's', '>'}, tokenizer.encode("<eos>"));
  }

  @Test
  void specialTokens() {
    assertEquals(261, tokenizer.vocabSize());
    assertEquals(OptionalInt.of(256), tokenizer.padId());
    assertEquals(OptionalInt.of(257), tokenizer.bosId());
    assertEquals(OptionalInt.of(258), tokenizer.eosId());
    assertEquals(OptionalInt.of(259), tokenizer.specialTokenId("<|im_start|>"));
    assertEquals(OptionalInt.of(260), tokenizer.specialTokenId("<|im_end|>"));
    assertEquals(OptionalInt.empty(), tokenizer.specialTokenId("<s>"));
  }

  @Test
  void decodesSpecialsAndBrokenBytes() {
    int[] ids = {257, 'h', 0xC3, 0xA9, 258};
    assertEquals("<bos>hé<eos>", tokenizer.decode(ids));
    assertEquals("hé", tokenizer.decode(ids, true));
    assertEquals("h\uFFFD<eos>", tokenizer.decode(new int[] {'h', 0xC3, 258}));
    assertEquals(
        "token id 261 is outside the byte tokenizer's [0, 261)",
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decode(new int[] {261}))
            .getMessage());
  }
}
