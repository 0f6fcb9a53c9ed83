package ai.llep.models.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options a run gives every conversation: template variables ({@code enable_thinking}, ...), tool
 * schemas for conversations that bring none, and a system prompt for conversations without a system
 * message (empty: none).
 */
public record TemplateOptions(
    Map<String, Object> variables, List<Object> tools, String systemPrompt) {
  public static final TemplateOptions NONE = new TemplateOptions(Map.of(), List.of(), "");

  public TemplateOptions {
    variables = Map.copyOf(variables);
    tools = List.copyOf(tools);
    if (systemPrompt == null) {
      throw new IllegalArgumentException("systemPrompt must not be null (empty means none)");
    }
    for (String key : variables.keySet()) {
      if (ChatInput.RESERVED.contains(key)) {
        throw new IllegalArgumentException(
            "template variable '" + key + "' is set by the framework; tools go in data.tools");
      }
    }
  }

  public boolean isEmpty() {
    return variables.isEmpty() && tools.isEmpty() && systemPrompt.isEmpty();
  }

  /** {@code input} with these defaults: its own options and tools win. */
  ChatInput applyTo(ChatInput input) {
    List<Map<String, Object>> messages = input.messages();
    if (!systemPrompt.isEmpty() && !input.role(0).equals("system")) {
      Map<String, Object> system = new LinkedHashMap<>();
      system.put("role", "system");
      system.put("content", systemPrompt);
      messages = new java.util.ArrayList<>(messages);
      messages.addFirst(system);
    }
    Map<String, Object> merged = new LinkedHashMap<>(variables);
    merged.putAll(input.options());
    List<Object> withTools = input.tools() != null ? input.tools() : tools.isEmpty() ? null : tools;
    return new ChatInput(messages, withTools, input.addGenerationPrompt(), merged);
  }
}
