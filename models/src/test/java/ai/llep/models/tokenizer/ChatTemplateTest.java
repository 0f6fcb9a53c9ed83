package ai.llep.models.tokenizer;

import static ai.llep.models.tokenizer.ChatMessage.assistant;
import static ai.llep.models.tokenizer.ChatMessage.system;
import static ai.llep.models.tokenizer.ChatMessage.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatTemplateTest {
  private static final ByteTokenizer BYTES = new ByteTokenizer();
  private static final int BOS = 257;
  private static final int EOS = 258;
  private static final int START = 259;
  private static final int END = 260;

  @TempDir Path dir;

  /** Builds the expected example: runs of ids with the loss flag of each run. */
  private static final class Expected {
    private final StringBuilder log = new StringBuilder();
    private int[] ids = new int[0];
    private boolean[] mask = new boolean[0];

    Expected ids(boolean learned, int... more) {
      int old = ids.length;
      ids = Arrays.copyOf(ids, old + more.length);
      mask = Arrays.copyOf(mask, old + more.length);
      for (int i = 0; i < more.length; i++) {
        ids[old + i] = more[i];
        mask[old + i] = learned;
      }
      log.append(learned ? "+" : "-").append(more.length);
      return this;
    }

    Expected bytes(boolean learned, String text) {
      byte[] raw = text.getBytes(StandardCharsets.UTF_8);
      int[] values = new int[raw.length];
      for (int i = 0; i < raw.length; i++) {
        values[i] = raw[i] & 0xFF;
      }
      return ids(learned, values);
    }

    TokenizedExample example() {
      return new TokenizedExample(ids, mask);
    }
  }

  @Test
  void chatmlMasksAssistantContentAndItsEndMarker() {
    TokenizedExample example =
        ChatTemplate.chatml()
            .encode(
                List.of(system("S"), user("hi"), assistant("yo"), user("ok"), assistant("é")),
                BYTES);
    Expected expected = new Expected();
    expected.ids(false, START).bytes(false, "system\nS").ids(false, END).bytes(false, "\n");
    expected.ids(false, START).bytes(false, "user\nhi").ids(false, END).bytes(false, "\n");
    expected.ids(false, START).bytes(false, "assistant\n").bytes(true, "yo").ids(true, END);
    expected.bytes(false, "\n");
    expected.ids(false, START).bytes(false, "user\nok").ids(false, END).bytes(false, "\n");
    expected.ids(false, START).bytes(false, "assistant\n").bytes(true, "é").ids(true, END);
    expected.bytes(false, "\n");
    assertEquals(expected.example(), example);
    assertEquals(2 + 1 + 2 + 1, example.learnedTokens());
    assertEquals(
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n"
            + "<|im_start|>assistant\nyo<|im_end|>\n<|im_start|>user\nok<|im_end|>\n"
            + "<|im_start|>assistant\né<|im_end|>\n",
        BYTES.decode(example.inputIds()));
  }

  @Test
  void chatmlPromptOpensTheAssistantTurn() {
    assertEquals(
        "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
        BYTES.decode(ChatTemplate.chatml().encodePrompt(List.of(user("hi")), BYTES)));
  }

  @Test
  void mixtralPrependsTheSystemToTheFirstUserTurn() {
    TokenizedExample example =
        ChatTemplate.mixtral()
            .encode(
                List.of(system("S"), user("u1"), assistant("a1"), user("u2"), assistant("a2")),
                BYTES);
    Expected expected = new Expected().ids(false, BOS);
    expected.bytes(false, "[INST] S\n\nu1 [/INST]").bytes(true, "a1").ids(true, EOS);
    expected.bytes(false, "[INST] u2 [/INST]").bytes(true, "a2").ids(true, EOS);
    assertEquals(expected.example(), example);
    assertEquals(
        "<bos>[INST] u1 [/INST]",
        BYTES.decode(ChatTemplate.mixtral().encodePrompt(List.of(user("u1")), BYTES)));
  }

  @Test
  void plainLearnsTheCompletionAndEos() {
    TokenizedExample example = ChatTemplate.plain().encode("2+2=", "4", BYTES);
    assertEquals(
        new Expected()
            .ids(false, BOS)
            .bytes(false, "2+2=")
            .bytes(true, "4")
            .ids(true, EOS)
            .example(),
        example);
    assertArrayEquals(
        new int[] {BOS, 'p'}, ChatTemplate.plain().encodePrompt(List.of(user("p")), BYTES));
  }

  @Test
  void plainWithoutBos() throws IOException {
    try (HfTokenizer tokenizer =
        HfTokenizer.open(TinyTokenizers.byteLevelBpe(dir.resolve("bpe")))) {
      TokenizedExample example = ChatTemplate.plain().encode("hello", " world", tokenizer);
      assertEquals(
          new Expected().ids(false, 259).ids(true, 260, 'o', 'r', 'l', 'd', 263).example(),
          example);
    }
  }

  @Test
  void chatmlWithAByteLevelHfTokenizer() throws IOException {
    try (HfTokenizer tokenizer =
        HfTokenizer.open(TinyTokenizers.byteLevelBpe(dir.resolve("bpe")))) {
      TokenizedExample example = ChatTemplate.chatml().encode("hello", "hello world", tokenizer);
      Expected expected = new Expected();
      expected.ids(false, 262).bytes(false, "user\n").ids(false, 259, 263).bytes(false, "\n");
      expected.ids(false, 262).bytes(false, "assistant\n");
      expected.ids(true, 259, 260, 'o', 'r', 'l', 'd', 263).bytes(false, "\n");
      assertEquals(expected.example(), example);
      assertEquals(
          "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\nhello world<|im_end|>\n",
          tokenizer.decode(example.inputIds()));
    }
  }

  @Test
  void mixtralWithASentencePieceStyleHfTokenizer() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.open(TinyTokenizers.unigram(dir.resolve("sp")))) {
      TokenizedExample example = ChatTemplate.mixtral().encode("hi", "yo", tokenizer);
      assertEquals(new Expected().ids(false, 1, 3, 5, 4).ids(true, 6, 2).example(), example);
    }
  }

  @Test
  void templatesNameTheTokenTheyMiss() throws IOException {
    try (HfTokenizer tokenizer = HfTokenizer.open(TinyTokenizers.unigram(dir.resolve("sp")))) {
      assertEquals(
          "the chatml chat template needs the special token <|im_start|>, which "
              + tokenizer
              + " lacks",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> ChatTemplate.chatml().encode("a", "b", tokenizer))
              .getMessage());
    }
    try (HfTokenizer tokenizer =
        HfTokenizer.open(TinyTokenizers.byteLevelBpe(dir.resolve("bpe")))) {
      assertEquals(OptionalInt.empty(), tokenizer.bosId());
      assertEquals(
          "the mixtral chat template needs a BOS token, which " + tokenizer + " lacks",
          assertThrows(
                  IllegalArgumentException.class,
                  () -> ChatTemplate.mixtral().encode("a", "b", tokenizer))
              .getMessage());
    }
  }

  @Test
  void rolesAreValidated() {
    ChatTemplate chatml = ChatTemplate.chatml();
    assertEquals(
        "a conversation needs at least one message", error(() -> chatml.encode(List.of(), BYTES)));
    assertEquals(
        "message 2 is a system message; only the first message may be one",
        error(() -> chatml.encode(List.of(user("a"), assistant("b"), system("c")), BYTES)));
    assertEquals(
        "message 1 has role user, expected assistant: after an optional system message, roles"
            + " alternate user, assistant, user, ...",
        error(() -> chatml.encode(List.of(user("a"), user("b")), BYTES)));
    assertEquals(
        "message 1 has role assistant, expected user: after an optional system message, roles"
            + " alternate user, assistant, user, ...",
        error(() -> chatml.encode(List.of(system("s"), assistant("b")), BYTES)));
    assertEquals(
        "a conversation to train on must end with an assistant message, this one ends with user",
        error(() -> chatml.encode(List.of(user("a"), assistant("b"), user("c")), BYTES)));
    assertEquals(
        "a prompt must end with a user message, this one ends with assistant",
        error(() -> chatml.encodePrompt(List.of(user("a"), assistant("b")), BYTES)));
    assertEquals(
        "unknown role 'bot': expected system, user or assistant",
        error(() -> ChatMessage.of("bot", "x")));
    assertEquals(
        "unknown chat template 'llama': expected chatml, mixtral or plain",
        error(() -> ChatTemplate.named("llama")));
    assertEquals("mixtral", ChatTemplate.named("mixtral").name());
    assertEquals(
        "3 input ids but 2 loss mask entries",
        error(() -> new TokenizedExample(new int[3], new boolean[2])));
  }

  private static String error(Runnable action) {
    return assertThrows(IllegalArgumentException.class, action::run).getMessage();
  }
}
