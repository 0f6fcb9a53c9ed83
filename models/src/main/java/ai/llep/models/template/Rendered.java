package ai.llep.models.template;

import java.util.List;

/**
 * The text a template rendered and, in order, the spans its {@code generation} blocks produced (as
 * transformers records them: offsets into the template's top-level output).
 */
public record Rendered(String text, List<Span> generation) {
  public Rendered {
    generation = List.copyOf(generation);
  }
}
