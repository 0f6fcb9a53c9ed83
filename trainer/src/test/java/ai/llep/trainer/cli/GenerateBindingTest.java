package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.generate.GenerateOptions;
import ai.llep.trainer.generate.PromptInput;
import ai.llep.trainer.train.InferenceModel;
import ai.llep.trainer.train.Precision;
import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generate command's arguments and settings: the positional model and config file, prompts as
 * written (commas and quotes kept), and bad values named by key.
 */
class GenerateBindingTest {
  @TempDir Path dir;

  private static GenerateBinding.GenerateSettings bind(GenerateArguments parsed) {
    Config config = new ConfigLoader().load(parsed.configFile(), parsed.overrides()).config();
    return GenerateBinding.bind(config);
  }

  private static List<String> texts(List<PromptInput> prompts) {
    return prompts.stream().map(p -> p.given().getAsString()).toList();
  }

  @Test
  void repeatedPromptsKeepTheirCommasAndQuotesInOrder() {
    GenerateArguments parsed =
        GenerateArguments.parse(
            List.of(
                "tiny-moe",
                "generate.prompt=Reverse the word: maple, then stop",
                "generate.max-new-tokens=5",
                "generate.prompt=\"quoted\"",
                "generate.prompt=say \"hi\" [twice]"));
    GenerateBinding.GenerateSettings settings = bind(parsed);
    assertEquals(
        List.of("Reverse the word: maple, then stop", "quoted", "say \"hi\" [twice]"),
        texts(settings.prompts()));
    assertEquals(5, settings.options().maxNewTokens());
    assertEquals("tiny-moe", settings.model().spec().source());
    assertEquals("generate.prompt[2]", settings.prompts().get(2).source());
  }

  @Test
  void aModelFolderAndAConfigFileInEitherOrderAndAListOfPrompts() throws IOException {
    Path model = Files.createDirectories(dir.resolve("model"));
    Files.writeString(model.resolve("config.json"), "{}");
    Path recipe = Files.writeString(dir.resolve("gen.conf"), "generate.top-k = 3\n");
    GenerateArguments parsed =
        GenerateArguments.parse(
            List.of(recipe.toString(), model.toString(), "generate.prompt=[a, \"b, c\"]"));
    assertEquals(recipe, parsed.configFile().orElseThrow());
    GenerateBinding.GenerateSettings settings = bind(parsed);
    assertEquals(List.of("a", "b, c"), texts(settings.prompts()));
    assertEquals(3, settings.options().sampling().topK());
    assertEquals(model.toString(), settings.model().spec().source());
    assertEquals(null, settings.model().checkpoint());
  }

  @Test
  void promptsFromAFileFollowThoseOfTheCommandLine() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("prompts.jsonl"),
            "{\"prompt\": \"one\", \"completion\": \"ignored\"}\n\n"
                + "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"},"
                + " {\"role\": \"user\", \"content\": \"two\"}]}\n");
    GenerateBinding.GenerateSettings settings =
        bind(
            GenerateArguments.parse(
                List.of("tiny-moe", "generate.prompt=zero", "generate.prompts-file=" + file)));
    List<PromptInput> prompts = settings.prompts();
    assertEquals(3, prompts.size());
    assertEquals(file + ":3", prompts.get(2).source());
    assertEquals(2, prompts.get(2).input().messages().size());
    assertEquals("two", prompts.get(2).input().messages().get(1).get("content"));
  }

  @Test
  void badPromptLinesAreNamedByFileAndLine() throws IOException {
    Path file =
        Files.writeString(dir.resolve("bad.jsonl"), "{\"prompt\": \"ok\"}\n{\"text\": \"no\"}\n");
    ConfigError error =
        assertThrows(
            ConfigError.class,
            () ->
                bind(
                    GenerateArguments.parse(List.of("tiny-moe", "generate.prompts-file=" + file))));
    assertEquals(
        file + ":2: expected \"prompt\" (a string) or \"messages\", got keys [text]",
        error.getMessage());
  }

  @Test
  void missingOrConflictingInputsAreErrors() {
    assertEquals(
        "no prompts: give generate.prompt=... (repeatable) or generate.prompts-file=FILE",
        assertThrows(ConfigError.class, () -> bind(GenerateArguments.parse(List.of("tiny-moe"))))
            .getMessage());
    assertEquals(
        "generate: the model is given twice, as 'tiny-moe' and as generate.model",
        assertThrows(
                ConfigError.class,
                () -> GenerateArguments.parse(List.of("tiny-moe", "generate.model=tiny-moe")))
            .getMessage());
    assertEquals(
        "generate.model=" + dir.resolve("none") + " is not a folder (nor tiny-moe)",
        assertThrows(
                ConfigError.class,
                () ->
                    bind(
                        GenerateArguments.parse(
                            List.of("generate.model=" + dir.resolve("none"), "generate.prompt=x"))))
            .getMessage());
    assertEquals(
        "generate.top-p must be in (0, 1], got 0.0",
        assertThrows(
                ConfigError.class,
                () ->
                    GenerateBinding.options(
                        new ConfigLoader()
                            .load(java.util.Optional.empty(), List.of("generate.top-p=0"))
                            .config()))
            .getMessage());
  }

  @Test
  void precisionIsBoundAsTrainingsAndABadOneIsNamedByItsKey() {
    assertEquals(
        Precision.AUTO,
        bind(GenerateArguments.parse(List.of("tiny-moe", "generate.prompt=x"))).precision());
    assertEquals(
        Precision.BF16,
        bind(GenerateArguments.parse(
                List.of("tiny-moe", "generate.prompt=x", "generate.precision=bf16")))
            .precision());
    assertEquals(
        "generate.precision=fp16 is not one of: auto, float32, tf32, bf16",
        assertThrows(
                ConfigError.class,
                () ->
                    bind(
                        GenerateArguments.parse(
                            List.of("tiny-moe", "generate.prompt=x", "generate.precision=fp16"))))
            .getMessage());
    InferenceModel.Numerics cpu =
        InferenceModel.numerics("generate.precision", Precision.AUTO, Device.cpu());
    assertEquals(DataType.FLOAT32, cpu.computeType(), "auto computes in float32 on the CPU");
  }

  @Test
  void defaultsAreGreedyWithoutStops() {
    GenerateOptions options =
        GenerateBinding.options(
            new ConfigLoader().load(java.util.Optional.empty(), List.of()).config());
    assertEquals(true, options.sampling().greedy());
    assertEquals(List.of(), options.stop());
    assertEquals(64, options.maxNewTokens());
  }
}
