package ai.llep.models.tokenizer;

import java.util.List;
import java.util.Optional;

/** Prompt text, then completion and EOS; see {@link ChatTemplate#plain()}. */
record PlainTemplate() implements ChatTemplate {
  /** Renders the same text as this template (without its per-part tokenization). */
  static final String JINJA =
      "{{- bos_token }}"
          + "{%- for message in messages %}{{- message['content'] }}"
          + "{%- if message['role'] == 'assistant' %}{{- eos_token }}{%- endif %}"
          + "{%- endfor %}";

  @Override
  public String name() {
    return "plain";
  }

  @Override
  public EncodedChat encode(ChatInput input, TextTokenizer tokenizer) {
    List<ChatMessage> conversation = input.plainMessages(name());
    Conversation.check(conversation, !input.addGenerationPrompt());
    ExampleBuilder example = new ExampleBuilder(tokenizer, name());
    tokenizer.bosId().ifPresent(bos -> example.id(bos, false));
    for (ChatMessage message : conversation) {
      if (message.role() == Role.ASSISTANT) {
        example.text(message.content(), true).eos(true);
      } else {
        example.text(message.content(), false);
      }
    }
    return example.build();
  }

  @Override
  public Optional<String> jinjaSource() {
    return Optional.of(JINJA);
  }
}
