package ai.llep.models.tokenizer;

import java.util.List;

/**
 * {@code <s>[INST] user [/INST]assistant</s>[INST] ...}; see {@link ChatTemplate#mixtral()}. Each
 * part is encoded on its own, as mistral-common does: a SentencePiece tokenizer then gives the
 * assistant content its leading word marker, which stands for the space the Jinja template writes.
 */
record MixtralTemplate() implements ChatTemplate {
  @Override
  public String name() {
    return "mixtral";
  }

  @Override
  public TokenizedExample encode(List<ChatMessage> conversation, TextTokenizer tokenizer) {
    Conversation.check(conversation, true);
    return turns(conversation, tokenizer).build();
  }

  @Override
  public int[] encodePrompt(List<ChatMessage> conversation, TextTokenizer tokenizer) {
    Conversation.check(conversation, false);
    return turns(conversation, tokenizer).ids();
  }

  private ExampleBuilder turns(List<ChatMessage> conversation, TextTokenizer tokenizer) {
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
    return example;
  }
}
