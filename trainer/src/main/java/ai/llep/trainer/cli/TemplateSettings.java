package ai.llep.trainer.cli;

import ai.llep.models.template.TemplateValues;
import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.data.TemplateSetting;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;

/** Binds the chat template keys of {@code data} once at start-up. */
final class TemplateSettings {
  private TemplateSettings() {}

  @SuppressWarnings("unchecked")
  static TemplateSetting bind(Config config) {
    Map<String, Object> variables =
        (Map<String, Object>)
            TemplateValues.of(config.getConfig("data.template-kwargs").root().unwrapped());
    List<Object> tools = (List<Object>) TemplateValues.of(config.getList("data.tools").unwrapped());
    for (int i = 0; i < tools.size(); i++) {
      if (!(tools.get(i) instanceof Map)) {
        throw new ConfigError(
            "data.tools[" + i + "] must be an object (a tool's JSON schema), got " + tools.get(i));
      }
    }
    try {
      return new TemplateSetting(
          config.getString("data.template"),
          new TemplateOptions(variables, tools, config.getString("data.system-prompt")));
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage(), e);
    }
  }
}
