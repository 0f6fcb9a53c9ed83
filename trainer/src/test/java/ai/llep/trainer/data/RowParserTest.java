package ai.llep.trainer.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each row format to the example it gives, and bad rows to errors naming file:line and the key. */
class RowParserTest {
  private static final String AT = "train.jsonl:4";

  private static RawExample parse(String json) {
    return RowParser.parse(json.replace('\'', '"'), AT, DataFormat.AUTO);
  }

  private static String error(String json, DataFormat format) {
    return assertThrows(DataError.class, () -> RowParser.parse(json.replace('\'', '"'), AT, format))
        .getMessage();
  }

  private static Map<String, Object> msg(String role, Object content) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("role", role);
    m.put("content", content);
    return m;
  }

  private static RawExample.Chat chat(String json) {
    return assertInstanceOf(RawExample.Chat.class, parse(json));
  }

  @Test
  void messagesKeepEveryFieldAndJoinTextParts() {
    RawExample.Chat c =
        chat(
            "{'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 'Hi '},"
                + " {'type': 'text', 'text': 'there'}]}, {'role': 'assistant', 'content': null,"
                + " 'tool_calls': [{'type': 'function', 'function': {'name': 'f', 'arguments':"
                + " {'x': 1}}}], 'reasoning_content': 'why'}], 'tools': [{'type': 'function'}],"
                + " 'prompt': 'ignored'}");
    assertEquals(DataFormat.MESSAGES, c.format());
    assertEquals(msg("user", "Hi there"), c.messages().get(0));
    Map<String, Object> call = new LinkedHashMap<>();
    call.put("type", "function");
    call.put("function", Map.of("name", "f", "arguments", Map.of("x", 1L)));
    Map<String, Object> assistant = msg("assistant", null);
    assistant.put("tool_calls", List.of(call));
    assistant.put("reasoning_content", "why");
    assertEquals(assistant, c.messages().get(1));
    assertEquals(List.of(Map.of("type", "function")), c.tools());
    assertEquals(AT, c.source());
  }

  @Test
  void shareGptAlpacaAndPromptCompletionBecomeConversations() {
    RawExample.Chat share =
        chat(
            "{'system': 'S', 'conversations': [{'from': 'human', 'value': 'Q'},"
                + " {'from': 'gpt', 'value': 'A'}, {'from': 'observation', 'value': 'O'}]}");
    assertEquals(DataFormat.SHAREGPT, share.format());
    assertEquals(
        List.of(msg("system", "S"), msg("user", "Q"), msg("assistant", "A"), msg("tool", "O")),
        share.messages());
    RawExample.Chat alpaca =
        chat(
            "{'instruction': 'Translate', 'input': 'chat', 'output': 'cat', 'system': 'S',"
                + " 'history': [['hi', 'hello']]}");
    assertEquals(DataFormat.ALPACA, alpaca.format());
    assertEquals(
        List.of(
            msg("system", "S"),
            msg("user", "hi"),
            msg("assistant", "hello"),
            msg("user", "Translate\nchat"),
            msg("assistant", "cat")),
        alpaca.messages());
    assertEquals(
        List.of(msg("user", "Do"), msg("assistant", "Done")),
        chat("{'instruction': 'Do', 'input': '', 'output': 'Done'}").messages());
    RawExample.Chat pc = chat("{'prompt': 'Q', 'completion': 'A'}");
    assertEquals(DataFormat.PROMPT_COMPLETION, pc.format());
    assertEquals(List.of(msg("user", "Q"), msg("assistant", "A")), pc.messages());
    assertNull(pc.tools());
    assertEquals(
        List.of(msg("system", "S"), msg("user", "Q"), msg("assistant", "A")),
        chat("{'prompt': [{'role': 'system', 'content': 'S'}, {'role': 'user', 'content':"
                + " 'Q'}], 'completion': [{'role': 'assistant', 'content': 'A'}]}")
            .messages());
  }

  @Test
  void textAndPreTokenizedRows() {
    assertEquals(new RawExample.Text("raw text", AT), parse("{'text': 'raw text', 'id': 3}"));
    RawExample.Tokens labels =
        assertInstanceOf(
            RawExample.Tokens.class,
            parse("{'input_ids': [5, 6, 7, 8], 'labels': [-100, -100, 7, 8], 'text': 'x'}"));
    assertArrayEquals(new int[] {5, 6, 7, 8}, labels.inputIds());
    assertArrayEquals(new boolean[] {false, false, true, true}, labels.lossMask());
    RawExample.Tokens mask =
        assertInstanceOf(
            RawExample.Tokens.class,
            parse(
                "{'input_ids': [5, 6, 7], 'loss_mask': [0, 1, true], 'attention_mask': [1,1,1]}"));
    assertArrayEquals(new boolean[] {false, true, true}, mask.lossMask());
    assertArrayEquals(
        new boolean[] {true, true},
        assertInstanceOf(RawExample.Tokens.class, parse("{'input_ids': [1, 2]}")).lossMask());
  }

  @Test
  void badRowsNameFileLineAndKey() {
    DataFormat auto = DataFormat.AUTO;
    assertEquals(
        AT
            + ": no data format has the keys [foo] (expected one of \"input_ids\" (tokenized),"
            + " \"messages\" (messages), \"conversations\" (sharegpt), \"instruction\" (alpaca),"
            + " \"prompt\" (prompt-completion), \"text\" (text))",
        error("{'foo': 1}", auto));
    assertEquals(
        AT
            + ": messages[0].content[1]: content parts of type 'image_url' are not supported (only"
            + " \"text\")",
        error(
            "{'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 'a'},"
                + " {'type': 'image_url'}]}]}",
            auto));
    assertEquals(
        AT + ": messages[0]: missing \"content\"", error("{'messages': [{'role': 'user'}]}", auto));
    assertEquals(
        AT
            + ": conversations[1]: \"from\" is 'bot'; expected human or user, gpt, assistant or"
            + " model, system, tool or observation (tool calls need the messages format's"
            + " tool_calls)",
        error(
            "{'conversations': [{'from': 'human', 'value': 'a'}, {'from': 'bot', 'value': 'b'}]}",
            auto));
    assertEquals(AT + ": missing \"output\"", error("{'instruction': 'a'}", auto));
    assertEquals(AT + ": missing \"instruction\"", error("{'prompt': 'a'}", DataFormat.ALPACA));
    assertEquals(
        AT
            + ": \"prompt\" must be a string or a list of messages (and so must the other of"
            + " prompt and completion), got a number",
        error("{'prompt': 3, 'completion': 'A'}", auto));
    assertEquals(
        AT
            + ": labels[1] is 9 but input_ids[1] is 6 (a label is -100 or the token itself; the"
            + " model shifts them)",
        error("{'input_ids': [5, 6], 'labels': [5, 9]}", auto));
    assertEquals(
        AT + ": \"loss_mask\" has 1 entries but \"input_ids\" has 2",
        error("{'input_ids': [5, 6], 'loss_mask': [1]}", auto));
    assertEquals(
        AT + ": input_ids[1] must be an integer, got a string",
        error("{'input_ids': [5, 'x']}", auto));
    assertEquals(AT + ": \"text\" must be a string, got an array", error("{'text': []}", auto));
    assertEquals(AT + ": not valid JSON", error("{oops", auto).replaceAll("(?s) \\(.*", ""));
  }
}
