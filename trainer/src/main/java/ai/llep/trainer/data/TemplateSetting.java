package ai.llep.trainer.data;

import ai.llep.models.tokenizer.TemplateOptions;

/**
 * Which chat template a run uses ({@code data.template}) and the options it gives it ({@code
 * data.template-kwargs}, {@code data.tools}, {@code data.system-prompt}).
 *
 * @param name {@code auto}, {@code model}, {@code model:<name>}, {@code chatml}, {@code mixtral} or
 *     {@code plain}
 */
public record TemplateSetting(String name, TemplateOptions options) {
  public TemplateSetting {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException(
          "data.template is empty: give auto, model, model:<name>, chatml, mixtral or plain");
    }
    if (options == null) {
      throw new IllegalArgumentException("template options must be given");
    }
  }
}
