package ai.llep.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer files an exported tiny model carries are the byte tokenizer: loaded as any model's
 * {@code tokenizer.json}, they give its ids, its text and its special tokens, and the exported
 * ChatML template gives the ids the built-in one trained on.
 */
class ByteTokenizerFilesTest {
  private static final List<String> TEXTS =
      List.of(
          "Reverse the word: maple",
          "  two  spaces, a\ttab\nand lines\r\n",
          "café, naïve, 東京, emoji \uD83D\uDE00",
          "'s 't 're 1234 ...!?",
          "\u0000\u0001 control bytes \u007f");

  @TempDir Path dir;

  private HfTokenizer written() throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), ByteTokenizerFiles.tokenizerJson());
    Files.writeString(
        dir.resolve("tokenizer_config.json"), ByteTokenizerFiles.tokenizerConfigJson());
    return HfTokenizer.open(dir);
  }

  @Test
  void theFilesEncodeAndDecodeAsTheByteTokenizer() throws IOException {
    ByteTokenizer bytes = new ByteTokenizer();
    try (HfTokenizer files = written()) {
      for (String text : TEXTS) {
        assertArrayEquals(bytes.encode(text), files.encode(text), text);
        assertEquals(text, files.decode(bytes.encode(text)), text);
      }
      assertEquals(bytes.vocabSize(), files.vocabSize());
      assertEquals(bytes.bosId(), files.bosId());
      assertEquals(bytes.eosId(), files.eosId());
      assertEquals(bytes.padId(), files.padId());
      assertEquals(bytes.namedSpecialTokens(), files.namedSpecialTokens());
      for (String special : List.of("<pad>", "<bos>", "<eos>", "<|im_start|>", "<|im_end|>")) {
        assertEquals(bytes.specialTokenId(special), files.specialTokenId(special), special);
      }
      int[] mixed = {ByteTokenizer.IM_START, 'h', 'i', ByteTokenizer.IM_END, ByteTokenizer.EOS};
      assertEquals(bytes.decode(mixed), files.decode(mixed));
      assertEquals(bytes.decode(mixed, true), files.decode(mixed, true));
    }
  }

  @Test
  void theExportedChatmlTemplateGivesTheBuiltInsIds() throws IOException {
    List<ChatMessage> conversation =
        List.of(
            ChatMessage.system("Be brief."),
            ChatMessage.user("Reverse the word: maple"),
            ChatMessage.assistant("elpam"),
            ChatMessage.user("And: oak"));
    ChatTemplate builtIn = ChatTemplate.chatml();
    ChatTemplate exported =
        JinjaChatTemplate.parse("model", builtIn.jinjaSource().orElseThrow(), Clock.systemUTC());
    try (HfTokenizer files = written()) {
      assertArrayEquals(
          builtIn.encodePrompt(conversation, new ByteTokenizer()),
          exported.encodePrompt(conversation, files));
    }
  }

  @Test
  void generationStopsAtEosAndTheEndOfATurn() {
    assertEquals(
        OptionalInt.of(ByteTokenizerFiles.EOS_IDS.getFirst()), new ByteTokenizer().eosId());
    assertEquals(
        new ByteTokenizer().specialTokenId("<|im_end|>"),
        OptionalInt.of(ByteTokenizerFiles.EOS_IDS.getLast()));
    assertEquals(
        "{\n  \"bos_token_id\": 257,\n  \"eos_token_id\": [\n    258,\n    260\n  ],\n"
            + "  \"pad_token_id\": 256\n}\n",
        ByteTokenizerFiles.generationConfigJson());
  }
}
