package ai.llep.models.tokenizer;

import java.util.List;

/** Prompt text, then completion and EOS; see {@link ChatTemplate#plain()}. */
record PlainTemplate() implements ChatTemplate {
  @Override
  public String name() {
    return "plain";
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
    ExampleBuilder example = new ExampleBuilder(tokenizer, name());
    tokenizer.bosId().ifPresent(bos -> example.id(bos, false));
    for (ChatMessage message : conversation) {
      if (message.role() == Role.ASSISTANT) {
        example.text(message.content(), true).eos(true);
      } else {
        example.text(message.content(), false);
      }
    }
    return example;
  }
}
