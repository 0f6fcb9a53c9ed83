package ai.llep.models.tokenizer;

import ai.llep.models.template.TemplateValues;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a chat template renders: the messages (JSON-like maps with at least a {@code role}, as
 * {@link TemplateValues} gives them: {@code content}, {@code tool_calls}, {@code reasoning_content}
 * and whatever else the template reads), the tool schemas (or null), whether to open the next
 * assistant turn, and the template's own options ({@code enable_thinking}, ...).
 */
public record ChatInput(
    List<Map<String, Object>> messages,
    List<Object> tools,
    boolean addGenerationPrompt,
    Map<String, Object> options) {
  /** Variables transformers sets itself; options may not use these names. */
  static final Set<String> RESERVED =
      Set.of("messages", "tools", "documents", "add_generation_prompt");

  public ChatInput {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a conversation needs at least one message");
    }
    for (int i = 0; i < messages.size(); i++) {
      if (!(messages.get(i).get("role") instanceof String)) {
        throw new IllegalArgumentException("message " + i + " has no string 'role'");
      }
    }
    for (String key : options.keySet()) {
      if (RESERVED.contains(key)) {
        throw new IllegalArgumentException(
            "template option '" + key + "' is set by the framework, not by an option");
      }
    }
    messages = List.copyOf(messages);
    tools = tools == null ? null : List.copyOf(tools);
    options = Map.copyOf(options);
  }

  /** A conversation to train on (it ends with the assistant's reply). */
  public static ChatInput training(List<ChatMessage> conversation) {
    return new ChatInput(maps(conversation), null, false, Map.of());
  }

  /** A conversation to answer: the next assistant turn is opened. */
  public static ChatInput prompt(List<ChatMessage> conversation) {
    return new ChatInput(maps(conversation), null, true, Map.of());
  }

  private static List<Map<String, Object>> maps(List<ChatMessage> conversation) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (ChatMessage message : conversation) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", message.role().text());
      map.put("content", message.content());
      out.add(map);
    }
    return out;
  }

  String role(int index) {
    return (String) messages.get(index).get("role");
  }

  /** The same input with other messages and generation prompt. */
  ChatInput with(List<Map<String, Object>> otherMessages, boolean generationPrompt) {
    return new ChatInput(otherMessages, tools, generationPrompt, options);
  }

  /** The messages as plain system/user/assistant turns; an error names what does not fit. */
  List<ChatMessage> plainMessages(String template) {
    if (tools != null || !options.isEmpty()) {
      throw new IllegalArgumentException(
          "the built-in "
              + template
              + " chat template takes no tools or template options;"
              + " use the model's own template (data.template = auto)");
    }
    List<ChatMessage> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      Map<String, Object> message = messages.get(i);
      if (!(message.get("content") instanceof String content) || message.size() != 2) {
        throw new IllegalArgumentException(
            "message "
                + i
                + " has fields the built-in "
                + template
                + " chat template cannot render (it takes a role and a text content only)");
      }
      out.add(ChatMessage.of(role(i), content));
    }
    return out;
  }
}
