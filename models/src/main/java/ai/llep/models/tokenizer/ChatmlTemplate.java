package ai.llep.models.tokenizer;

import java.util.List;

/** {@code <|im_start|>role\ncontent<|im_end|>\n}; see {@link ChatTemplate#chatml()}. */
record ChatmlTemplate() implements ChatTemplate {
  static final String START = "<|im_start|>";
  static final String END = "<|im_end|>";

  @Override
  public String name() {
    return "chatml";
  }

  @Override
  public TokenizedExample encode(List<ChatMessage> conversation, TextTokenizer tokenizer) {
    Conversation.check(conversation, true);
    return turns(conversation, tokenizer).build();
  }

  @Override
  public int[] encodePrompt(List<ChatMessage> conversation, TextTokenizer tokenizer) {
    Conversation.check(conversation, false);
    return turns(conversation, tokenizer)
        .special(START, false)
        .text(Role.ASSISTANT.text() + "\n", false)
        .ids();
  }

  private ExampleBuilder turns(List<ChatMessage> conversation, TextTokenizer tokenizer) {
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
    return example;
  }
}
