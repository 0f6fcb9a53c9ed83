package ai.llep.models.tokenizer;

import java.util.List;
import java.util.Optional;

/**
 * {@code <s>[INST] user [/INST]assistant</s>[INST] ...}; see {@link ChatTemplate#mixtral()}. Each
 * part is encoded on its own, as mistral-common does: a SentencePiece tokenizer then gives the
 * assistant content its leading word marker, which stands for the space the Jinja template writes.
 */
record MixtralTemplate() implements ChatTemplate {
  /** Renders the same text as this template (without its per-part tokenization). */
  static final String JINJA =
      "{{- bos_token }}"
          + "{%- if messages[0]['role'] == 'system' %}"
          + "{%- set system = messages[0]['content'] + '\\n\\n' %}{%- set turns = messages[1:] %}"
          + "{%- else %}{%- set system = '' %}{%- set turns = messages %}{%- endif %}"
          + "{%- for message in turns %}"
          + "{%- if message['role'] == 'user' %}"
          + "{{- '[INST] ' + (system if loop.first else '') + message['content'] + ' [/INST]' }}"
          + "{%- else %}{{- message['content'] + eos_token }}{%- endif %}"
          + "{%- endfor %}";

  @Override
  public String name() {
    return "mixtral";
  }

  @Override
  public EncodedChat encode(ChatInput input, TextTokenizer tokenizer) {
    List<ChatMessage> conversation = input.plainMessages(name());
    Conversation.check(conversation, !input.addGenerationPrompt());
    ExampleBuilder example = new ExampleBuilder(tokenizer, name()).bos(false);
    String system = null;
    boolean firstUser = true;
    for (ChatMessage message : conversation) {
      switch (message.role()) {
        case SYSTEM -> system = message.content();
        case USER -> {
          String user =
              firstUser && system != null ? system + "\n\n" + message.content() : message.content();
          example.text("[INST] " + user + " [/INST]", false);
          firstUser = false;
        }
        case ASSISTANT -> example.text(message.content(), true).eos(true);
      }
    }
    return example.build();
  }

  @Override
  public Optional<String> jinjaSource() {
    return Optional.of(JINJA);
  }
}
