package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.data.TemplateSetting;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The chat template keys of data, bound from the command line. */
class TemplateSettingsTest {
  private static Config load(String... args) {
    return new ConfigLoader().load(Optional.empty(), List.of(args)).config();
  }

  @Test
  void defaultsAreTheModelsOwnTemplateWithoutOptions() {
    TemplateSetting setting = TemplateSettings.bind(load());
    assertEquals("auto", setting.name());
    assertEquals(TemplateOptions.NONE, setting.options());
  }

  @Test
  void templateVariablesToolsAndSystemPromptFromTheCommandLine() {
    TemplateSetting setting =
        TemplateSettings.bind(
            load(
                "data.template=model:tool_use",
                "data.template-kwargs.enable_thinking=false",
                "data.template-kwargs.reasoning_effort=high",
                "data.system-prompt=Be brief.",
                "data.tools=[{type: function, function: {name: get_time, parameters: {}}}]"));
    assertEquals("model:tool_use", setting.name());
    TemplateOptions options = setting.options();
    assertEquals(Map.of("enable_thinking", false, "reasoning_effort", "high"), options.variables());
    assertEquals("Be brief.", options.systemPrompt());
    assertEquals(
        List.of(
            Map.of(
                "type",
                "function",
                "function",
                Map.of("name", "get_time", "parameters", Map.of()))),
        options.tools());
  }

  @Test
  void badValuesAreConfigErrors() {
    assertEquals(
        "data.tools[0] must be an object (a tool's JSON schema), got get_time",
        assertThrows(ConfigError.class, () -> TemplateSettings.bind(load("data.tools=[get_time]")))
            .getMessage());
    assertEquals(
        "template variable 'messages' is set by the framework; tools go in data.tools",
        assertThrows(
                ConfigError.class,
                () -> TemplateSettings.bind(load("data.template-kwargs.messages=[]")))
            .getMessage());
  }
}
