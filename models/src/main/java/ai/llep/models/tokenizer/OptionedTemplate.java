package ai.llep.models.tokenizer;

import java.util.Optional;

/** A template with a run's {@link TemplateOptions} applied to every input. */
record OptionedTemplate(ChatTemplate template, TemplateOptions options) implements ChatTemplate {
  @Override
  public String name() {
    return template.name();
  }

  @Override
  public EncodedChat encode(ChatInput input, TextTokenizer tokenizer) {
    return template.encode(options.applyTo(input), tokenizer);
  }

  @Override
  public Optional<String> jinjaSource() {
    return template.jinjaSource();
  }
}
