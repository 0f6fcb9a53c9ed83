package ai.llep.models.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tokenizer files an exported tiny model carries are the byte tokenizer: loaded as any model's
 * {@code tokenizer.json}, they give its ids, its text and its special tokens, and the exported
 * ChatML template gives the ids the built-in one trained on. And they are the files transformers
 * was checked with: {@code fixtures/generation/tiny-moe-tokenizer} (made by {@code
 * scripts/fixtures/make-generation-fixtures.py} with the tokenizers library) holds them with the
 * ids {@code AutoTokenizer} and {@code apply_chat_template} gave, which must be the byte
 * tokenizer's.
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
  void theExportIsTheFixtureAndTransformersGaveTheByteTokenizersIds() throws IOException {
    Path fixture = fixture();
    assertEquals(
        json(Files.readString(fixture.resolve("tokenizer.json"))),
        json(ByteTokenizerFiles.tokenizerJson()),
        "the exported tokenizer.json is not the one transformers was checked with");
    assertEquals(
        json(Files.readString(fixture.resolve("tokenizer_config.json"))),
        json(ByteTokenizerFiles.tokenizerConfigJson()));
    assertEquals(
        Files.readString(fixture.resolve("chat_template.jinja")),
        ChatTemplate.chatml().jinjaSource().orElseThrow());
    JsonObject expected = json(Files.readString(fixture.resolve("expected.json")));
    ByteTokenizer bytes = new ByteTokenizer();
    for (JsonElement element : expected.getAsJsonArray("texts")) {
      JsonObject text = element.getAsJsonObject();
      String given = text.get("text").getAsString();
      assertArrayEquals(ints(text.getAsJsonArray("ids")), bytes.encode(given), given);
      assertEquals(text.get("decoded").getAsString(), bytes.decode(bytes.encode(given)), given);
    }
    for (JsonElement element : expected.getAsJsonArray("chats")) {
      JsonObject chat = element.getAsJsonObject();
      List<ChatMessage> messages = new ArrayList<>();
      for (JsonElement m : chat.getAsJsonArray("messages")) {
        String content = m.getAsJsonObject().get("content").getAsString();
        messages.add(
            switch (m.getAsJsonObject().get("role").getAsString()) {
              case "system" -> ChatMessage.system(content);
              case "user" -> ChatMessage.user(content);
              default -> ChatMessage.assistant(content);
            });
      }
      ChatInput input =
          chat.get("add_generation_prompt").getAsBoolean()
              ? ChatInput.prompt(messages)
              : ChatInput.training(messages);
      EncodedChat builtIn = ChatTemplate.chatml().encode(input, bytes);
      assertArrayEquals(
          ints(chat.getAsJsonArray("ids")), builtIn.inputIds(), chat.get("text").getAsString());
      if (chat.has("assistant_masks")) {
        // The tokens learned: transformers' assistant mask of the exported template, the built-in's
        // loss mask, and the exported template's loss mask here (a run from the export) agree.
        int[] transformers = ints(chat.getAsJsonArray("assistant_masks"));
        try (HfTokenizer files = written()) {
          EncodedChat exported =
              JinjaChatTemplate.parse(
                      "model", ChatTemplate.chatml().jinjaSource().orElseThrow(), Clock.systemUTC())
                  .encode(input, files);
          assertArrayEquals(builtIn.inputIds(), exported.inputIds(), "exported template's ids");
          assertArrayEquals(transformers, asInts(builtIn.lossMask()), "built-in loss mask");
          assertArrayEquals(transformers, asInts(exported.lossMask()), "exported template's mask");
        }
      }
    }
    JsonObject specials = expected.getAsJsonObject("special_ids");
    for (String special : specials.keySet()) {
      assertEquals(
          OptionalInt.of(specials.get(special).getAsInt()), bytes.specialTokenId(special), special);
    }
    assertEquals(OptionalInt.of(expected.get("eos_token_id").getAsInt()), bytes.eosId());
    assertEquals(OptionalInt.of(expected.get("bos_token_id").getAsInt()), bytes.bosId());
    assertEquals(OptionalInt.of(expected.get("pad_token_id").getAsInt()), bytes.padId());
    assertEquals(expected.get("vocab_size").getAsInt(), bytes.vocabSize());
  }

  private static int[] asInts(boolean[] mask) {
    int[] ints = new int[mask.length];
    for (int i = 0; i < mask.length; i++) {
      ints[i] = mask[i] ? 1 : 0;
    }
    return ints;
  }

  private static Path fixture() {
    for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
      Path folder = at.resolve("fixtures/generation/tiny-moe-tokenizer");
      if (Files.isDirectory(folder)) {
        return folder;
      }
    }
    throw new IllegalStateException(
        "no fixtures/generation/tiny-moe-tokenizer above " + Path.of("").toAbsolutePath());
  }

  private static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  private static int[] ints(JsonArray array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsInt();
    }
    return out;
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
