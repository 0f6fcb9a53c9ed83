package ai.llep.models.family;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.llep.models.tokenizer.ByteTokenizer;
import org.junit.jupiter.api.Test;

/** The embedded model and the byte tokenizer must agree on every id, or training reads garbage. */
class TinyMoeVocabularyTest {
  @Test
  void tinyMoeUsesTheByteTokenizersIds() {
    ByteTokenizer tokenizer = new ByteTokenizer();
    ModelConfig config = TinyMoe.config();
    assertEquals(tokenizer.vocabSize(), config.vocabSize());
    assertEquals(tokenizer.padId().getAsInt(), TinyMoe.PAD);
    assertEquals(tokenizer.bosId().getAsInt(), TinyMoe.BOS);
    assertEquals(tokenizer.eosId().getAsInt(), TinyMoe.EOS);
  }
}
