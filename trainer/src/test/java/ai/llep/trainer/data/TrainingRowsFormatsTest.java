package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.EncodedChat;
import java.nio.charset.StandardCharsets;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Every format's exact token ids and loss mask on the byte tokenizer (bytes are their own ids; 257
 * BOS, 258 EOS, 259 im_start, 260 im_end) with the built-in chatml template.
 */
class TrainingRowsFormatsTest {
  private static final ByteTokenizer BYTES = new ByteTokenizer();
  private static final int BOS = 257;
  private static final int EOS = 258;
  private static final int START = 259;
  private static final int END = 260;

  private static EncodedChat encode(String row) {
    return TrainingRows.encode(
        RowParser.parse(row.replace('\'', '"'), "d.jsonl:2", DataFormat.AUTO),
        ChatTemplate.chatml(),
        BYTES);
  }

  /** {@code parts} are token ids (Integer) and byte strings (String) with a loss flag each. */
  private static void assertEncoded(EncodedChat actual, Object... partsAndFlags) {
    java.util.List<Integer> ids = new java.util.ArrayList<>();
    java.util.List<Boolean> mask = new java.util.ArrayList<>();
    for (int i = 0; i < partsAndFlags.length; i += 2) {
      boolean learned = (Boolean) partsAndFlags[i + 1];
      if (partsAndFlags[i] instanceof Integer id) {
        ids.add(id);
        mask.add(learned);
      } else {
        for (byte b : ((String) partsAndFlags[i]).getBytes(StandardCharsets.UTF_8)) {
          ids.add(b & 0xFF);
          mask.add(learned);
        }
      }
    }
    assertArrayEquals(ids.stream().mapToInt(Integer::intValue).toArray(), actual.inputIds());
    boolean[] expected = new boolean[mask.size()];
    IntStream.range(0, expected.length).forEach(i -> expected[i] = mask.get(i));
    assertArrayEquals(expected, actual.lossMask());
  }

  @Test
  void conversationalFormatsRenderTheSameConversation() {
    Object[] expected = {
      START,
      false,
      "system\nS",
      false,
      END,
      false,
      "\n",
      false,
      START,
      false,
      "user\nQ\nx",
      false,
      END,
      false,
      "\n",
      false,
      START,
      false,
      "assistant\n",
      false,
      "A",
      true,
      END,
      true,
      "\n",
      false
    };
    assertEncoded(
        encode("{'instruction': 'Q', 'input': 'x', 'output': 'A', 'system': 'S'}"), expected);
    assertEncoded(
        encode(
            "{'system': 'S', 'conversations': [{'from': 'human', 'value': 'Q\\nx'},"
                + " {'from': 'gpt', 'value': 'A'}]}"),
        expected);
    assertEncoded(
        encode(
            "{'messages': [{'role': 'system', 'content': 'S'}, {'role': 'user', 'content':"
                + " [{'type': 'text', 'text': 'Q\\n'}, {'type': 'text', 'text': 'x'}]},"
                + " {'role': 'assistant', 'content': 'A'}]}"),
        expected);
    assertEncoded(
        encode("{'prompt': 'Q', 'completion': 'A'}"),
        START,
        false,
        "user\nQ",
        false,
        END,
        false,
        "\n",
        false,
        START,
        false,
        "assistant\n",
        false,
        "A",
        true,
        END,
        true,
        "\n",
        false);
  }

  @Test
  void textIsLearnedWholeWithBosAndEos() {
    EncodedChat text = encode("{'text': 'hi\u00e9'}");
    assertEncoded(text, BOS, true, "hi\u00e9", true, EOS, true);
    assertEquals("<bos>hi\u00e9<eos>", text.text());
    assertEncoded(encode("{'text': 'ok<eos>'}"), BOS, true, "ok<eos>", true, EOS, true);
  }

  @Test
  void preTokenizedRowsPassAsGivenWithinTheVocabulary() {
    EncodedChat tokens =
        encode("{'input_ids': [257, 104, 105, 258], 'labels': [-100, -100, 105, 258]}");
    assertEncoded(tokens, BOS, false, "h", false, "i", true, EOS, true);
    assertEquals("<bos>hi<eos>", tokens.text());
    DataError e = assertThrows(DataError.class, () -> encode("{'input_ids': [1, 300]}"));
    assertEquals(
        "d.jsonl:2: input_ids[1] = 300 is not a token of the model (its vocabulary has 261 ids)",
        e.getMessage());
    // A model's vocabulary may be larger than its tokenizer's (padded embedding rows): such ids
    // train; they have no text.
    EncodedChat beyondTokenizer =
        TrainingRows.encode(
            RowParser.parse("{\"input_ids\": [104, 140207]}", "d.jsonl:3", DataFormat.AUTO),
            ChatTemplate.chatml(),
            BYTES,
            151936);
    assertArrayEquals(new int[] {104, 140207}, beyondTokenizer.inputIds());
    assertEquals("", beyondTokenizer.text());
    DataError beyondModel =
        assertThrows(
            DataError.class,
            () ->
                TrainingRows.encode(
                    RowParser.parse("{\"input_ids\": [151936]}", "d.jsonl:4", DataFormat.AUTO),
                    ChatTemplate.chatml(),
                    BYTES,
                    151936));
    assertEquals(
        "d.jsonl:4: input_ids[0] = 151936 is not a token of the model (its vocabulary has 151936"
            + " ids)",
        beyondModel.getMessage());
    DataError tool =
        assertThrows(
            DataError.class,
            () -> encode("{'messages': [{'role': 'user', 'content': 'Q', 'name': 'n'}]}"));
    assertEquals(
        "d.jsonl:2: message 0 has fields the built-in chatml chat template cannot render (it takes"
            + " a role and a text content only)",
        tool.getMessage());
  }
}
