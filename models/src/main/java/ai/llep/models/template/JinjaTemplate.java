package ai.llep.models.template;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template, parsed once and rendered like transformers renders it: Jinja with
 * {@code trim_blocks} and {@code lstrip_blocks}, loop controls, the {@code generation} tag,
 * transformers' {@code tojson}, {@code raise_exception} and {@code strftime_now}, in an immutable
 * sandbox. A construct outside the supported subset fails at parse time (or, for methods, when
 * called) with an {@link UnsupportedConstructException} naming it and its line; nothing is rendered
 * differently in silence.
 *
 * <p>Values passed in are template values: {@link String}, {@link Long}, {@link Double}, {@link
 * Boolean}, null (None), {@link List} and {@link Map} of those (see {@link TemplateValues}).
 */
public final class JinjaTemplate {
  private final String source;
  private final List<Stmt> body;
  private final boolean generation;

  private JinjaTemplate(String source, List<Stmt> body) {
    this.source = source;
    this.body = body;
    this.generation = hasGeneration(body);
  }

  /**
   * Parses {@code source}; a syntax error or unsupported construct is a {@link TemplateException}.
   */
  public static JinjaTemplate parse(String source) {
    return new JinjaTemplate(source, Parser.parse(source));
  }

  public String source() {
    return source;
  }

  /** Whether the template marks assistant text with {@code {% generation %}} blocks. */
  public boolean hasGenerationBlocks() {
    return generation;
  }

  /** Renders with {@code variables}; {@code strftime_now} reads {@code clock} (local time). */
  public Rendered render(Map<String, Object> variables, Clock clock) {
    return new Renderer(clock).render(body, variables);
  }

  private static boolean hasGeneration(List<Stmt> statements) {
    for (Stmt stmt : statements) {
      boolean found =
          switch (stmt) {
            case Stmt.Generation g -> true;
            case Stmt.If s ->
                s.bodies().stream().anyMatch(JinjaTemplate::hasGeneration)
                    || hasGeneration(s.otherwise());
            case Stmt.For s -> hasGeneration(s.body()) || hasGeneration(s.otherwise());
            case Stmt.Macro s -> hasGeneration(s.body());
            case Stmt.FilterBlock s -> hasGeneration(s.body());
            case Stmt.With s -> hasGeneration(s.body());
            case Stmt.SetBlock s -> hasGeneration(s.body());
            default -> false;
          };
      if (found) {
        return true;
      }
    }
    return false;
  }
}
