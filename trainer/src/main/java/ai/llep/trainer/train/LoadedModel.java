package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.ModelAdapters;
import ai.llep.models.ModelShard;
import ai.llep.models.MoeTransformer;
import ai.llep.models.family.Family;
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
import ai.llep.trainer.data.TemplateSetting;
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
   * {@link #open(ModelSpec, TensorSource, TemplateSetting, long, ModelShard, Planner, NDManager,
   * DataType)} in float32.
   */
  static LoadedModel open(
      ModelSpec spec,
      TensorSource weights,
      TemplateSetting template,
      long seed,
      ModelShard shard,
      Planner planner,
      NDManager manager) {
    return open(spec, weights, template, seed, shard, planner, manager, DataType.FLOAT32);
  }

  /**
   * @param weights where the weights come from instead of the spec (a checkpoint), or null
   * @param template {@code auto} picks the model's own template, or else the family's built-in
   * @param planner how the model's MoE layers dispatch (EP, LLEP or the switch between them)
   * @param computeType float32, or bfloat16 (float32 parameters, bfloat16 compute)
   */
  static LoadedModel open(
      ModelSpec spec,
      TensorSource weights,
      TemplateSetting template,
      long seed,
      ModelShard shard,
      Planner planner,
      NDManager manager,
      DataType computeType) {
    return open(spec, weights, template, seed, shard, planner, manager, computeType, null);
  }

  /**
   * {@link #open(ModelSpec, TensorSource, TemplateSetting, long, ModelShard, Planner, NDManager,
   * DataType)} with {@code adapters} (LoRA) over a frozen base, or none when null.
   */
  static LoadedModel open(
      ModelSpec spec,
      TensorSource weights,
      TemplateSetting template,
      long seed,
      ModelShard shard,
      Planner planner,
      NDManager manager,
      DataType computeType,
      ModelAdapters adapters) {
    if (spec.isTiny()) {
      String configJson = TinyMoe.configJson(spec.tinyExperts());
      ModelConfig config = HfConfigParser.parse(configJson);
      MoeTransformer model =
          weights == null
              ? MoeTransformer.initRandom(
                  config, seed, shard, planner, computeType, manager, adapters)
              : MoeTransformer.load(
                  config, weights, shard, planner, computeType, manager, adapters);
      return new LoadedModel(
          model,
          new ByteTokenizer(),
          ChatFormat.template(template, null, "chatml"),
          configJson,
          Map.of());
    }
    Path folder = spec.folder();
    // model.weights=random reads config.json alone; a checkpoint stays open while the model loads.
    try (HfCheckpoint checkpoint = spec.randomWeights() ? null : HfCheckpoint.open(folder)) {
      String configText =
          checkpoint == null
              ? Files.readString(folder.resolve("config.json"))
              : checkpoint.configText();
      ModelConfig config = HfConfigParser.parse(configText);
      Family family = config.family().definition();
      TensorSource source =
          weights != null
              ? weights
              : checkpoint == null
                  ? MoeTransformer.randomTensors(config, seed)
                  : family.checkpointSource(checkpoint, config);
      MoeTransformer model =
          MoeTransformer.load(config, source, shard, planner, computeType, manager, adapters);
      try {
        return new LoadedModel(
            model,
            HfTokenizer.open(folder),
            ChatFormat.template(template, folder, family.builtinTemplate()),
            family.exportConfig(configText),
            tokenizerFiles(folder));
      } catch (IOException | RuntimeException e) {
        model.close();
        throw e;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("model.source=" + folder + ": " + e.getMessage(), e);
    }
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
