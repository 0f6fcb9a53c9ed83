package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.ModelShard;
import ai.llep.models.MoeTransformer;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TinyMoe;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.HfTokenizer;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.plan.Planner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The model, tokenizer and chat template of a run, and the {@code config.json} to export with the
 * model: the embedded tiny-moe (byte tokenizer) or a Hugging Face folder.
 */
record LoadedModel(
    MoeTransformer model,
    TextTokenizer tokenizer,
    ChatTemplate template,
    String configJson,
    Map<String, Path> tokenizerFiles) {

  /**
   * @param weights where the weights come from instead of the spec (a checkpoint), or null
   * @param templateName {@code auto} picks the family's template
   * @param planner how the model's MoE layers dispatch (EP, LLEP or the switch between them)
   */
  static LoadedModel open(
      ModelSpec spec,
      TensorSource weights,
      String templateName,
      long seed,
      ModelShard shard,
      Planner planner,
      NDManager manager) {
    if (spec.isTiny()) {
      String configJson = TinyMoe.configJson(spec.tinyExperts());
      ModelConfig config = HfConfigParser.parse(configJson);
      MoeTransformer model =
          weights == null
              ? MoeTransformer.initRandom(config, seed, shard, planner, DataType.FLOAT32, manager)
              : MoeTransformer.load(config, weights, shard, planner, DataType.FLOAT32, manager);
      return new LoadedModel(
          model, new ByteTokenizer(), template(templateName, "chatml"), configJson, Map.of());
    }
    Path folder = spec.folder();
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder)) {
      ModelConfig config = HfConfigParser.parse(checkpoint.configText());
      MoeTransformer model =
          MoeTransformer.load(
              config,
              weights == null ? checkpoint : weights,
              shard,
              planner,
              DataType.FLOAT32,
              manager);
      TextTokenizer tokenizer = HfTokenizer.open(folder);
      String family = config.family().name().toLowerCase(java.util.Locale.ROOT);
      return new LoadedModel(
          model,
          tokenizer,
          template(templateName, family.equals("mixtral") ? "mixtral" : "chatml"),
          checkpoint.configText(),
          tokenizerFiles(folder));
    } catch (IOException e) {
      throw new UncheckedIOException("model.source=" + folder + ": " + e.getMessage(), e);
    }
  }

  private static ChatTemplate template(String configured, String familyDefault) {
    return ChatTemplate.named(configured.equals("auto") ? familyDefault : configured);
  }

  private static Map<String, Path> tokenizerFiles(Path folder) {
    Map<String, Path> files = new LinkedHashMap<>();
    for (String name :
        new String[] {
          "tokenizer.json",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "generation_config.json"
        }) {
      if (Files.isRegularFile(folder.resolve(name))) {
        files.put(name, folder.resolve(name));
      }
    }
    return files;
  }
}
