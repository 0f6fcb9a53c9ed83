package ai.llep.models.tokenizer;

import ai.llep.models.template.JinjaTemplate;
import ai.llep.models.template.Rendered;
import ai.llep.models.template.Span;
import ai.llep.models.template.TemplateException;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A model's own chat template (Jinja text from its folder), rendered as transformers' {@code
 * apply_chat_template} renders it and tokenized as the whole rendered text (special tokens in the
 * text become their ids, as in transformers). The loss mask covers the assistant's text: the
 * template's {@code generation} blocks where it has them, else the spans {@link AssistantSpans}
 * finds by rendering prefixes.
 */
public final class JinjaChatTemplate implements ChatTemplate {
  private final String name;
  private final JinjaTemplate template;
  private final Clock clock;

  /**
   * @param name how logs and errors name it ({@code model}, {@code model:tool_use})
   * @param clock what {@code strftime_now} reads (local time of the clock's zone)
   */
  public JinjaChatTemplate(String name, JinjaTemplate template, Clock clock) {
    this.name = name;
    this.template = template;
    this.clock = clock;
  }

  /** Parses {@code source}; an unsupported construct fails here, naming it and its line. */
  public static JinjaChatTemplate parse(String name, String source, Clock clock) {
    try {
      return new JinjaChatTemplate(name, JinjaTemplate.parse(source), clock);
    } catch (TemplateException e) {
      throw new TemplateException("chat template '" + name + "': " + e.getMessage(), 0, e);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<String> jinjaSource() {
    return Optional.of(template.source());
  }

  /** Whether the loss mask comes from {@code generation} blocks (else from prefixes). */
  public boolean marksGeneration() {
    return template.hasGenerationBlocks();
  }

  /** The rendered text, as {@code apply_chat_template(..., tokenize=False)}. */
  public String render(ChatInput input, TextTokenizer tokenizer) {
    return renderWithSpans(input, tokenizer).text();
  }

  @Override
  public EncodedChat encode(ChatInput input, TextTokenizer tokenizer) {
    Rendered rendered = renderWithSpans(input, tokenizer);
    String text = rendered.text();
    List<Span> spans =
        marksGeneration()
            ? rendered.generation()
            : AssistantSpans.byPrefixes(name, input, text, in -> render(in, tokenizer));
    TokenSpans tokens = tokenizer.encodeWithSpans(text);
    return new EncodedChat(text, tokens.ids(), TokenMask.of(tokens, text, spans));
  }

  private Rendered renderWithSpans(ChatInput input, TextTokenizer tokenizer) {
    Map<String, Object> variables = new HashMap<>(tokenizer.namedSpecialTokens());
    variables.putAll(input.options());
    variables.put("messages", input.messages());
    variables.put("tools", input.tools());
    variables.put("documents", null);
    variables.put("add_generation_prompt", input.addGenerationPrompt());
    try {
      return template.render(variables, clock);
    } catch (TemplateException e) {
      throw new TemplateException("chat template '" + name + "': " + e.getMessage(), 0, e);
    }
  }

  @Override
  public String toString() {
    return "chat template '" + name + "'";
  }
}
