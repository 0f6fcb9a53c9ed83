package ai.llep.models.tokenizer;

import java.util.List;
import java.util.Optional;

/** {@code <|im_start|>role\ncontent<|im_end|>\n}; see {@link ChatTemplate#chatml()}. */
record ChatmlTemplate() implements ChatTemplate {
  static final String START = "<|im_start|>";
  static final String END = "<|im_end|>";

  /** Renders the same text as this template (without its per-part tokenization). */
  /**
   * This template as Jinja, for exports: the assistant's text and its end marker in a {@code
   * generation} block, so that a run from the export learns the same tokens as this one.
   */
  static final String JINJA =
      "{%- for message in messages %}"
          + "{{- '<|im_start|>' + message['role'] + '\\n' }}"
          + "{%- if message['role'] == 'assistant' %}"
          + "{%- generation %}{{- message['content'] + '<|im_end|>' }}{%- endgeneration %}"
          + "{%- else %}{{- message['content'] + '<|im_end|>' }}{%- endif %}"
          + "{{- '\\n' }}"
          + "{%- endfor %}"
          + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

  @Override
  public String name() {
    return "chatml";
  }

  @Override
  public EncodedChat encode(ChatInput input, TextTokenizer tokenizer) {
    List<ChatMessage> conversation = input.plainMessages(name());
    Conversation.check(conversation, !input.addGenerationPrompt());
    ExampleBuilder example = new ExampleBuilder(tokenizer, name());
    for (ChatMessage message : conversation) {
      boolean learned = message.role() == Role.ASSISTANT;
      example
          .special(START, false)
          .text(message.role().text() + "\n", false)
          .text(message.content(), learned)
          .special(END, learned)
          .text("\n", false);
    }
    if (input.addGenerationPrompt()) {
      example.special(START, false).text(Role.ASSISTANT.text() + "\n", false);
    }
    return example.build();
  }

  @Override
  public Optional<String> jinjaSource() {
    return Optional.of(JINJA);
  }
}
