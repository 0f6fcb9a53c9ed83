package ai.llep.trainer.train;

import ai.djl.ndarray.types.DataType;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.ConfigDtype;
import ai.llep.models.hf.HfCheckpointWriter;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ByteTokenizerFiles;
import ai.llep.trainer.checkpoint.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes the trained model in Hugging Face layout (config.json, sharded safetensors, index, the
 * tokenizer files (for tiny-moe, files equivalent to its byte tokenizer and a
 * generation_config.json that stops at the end of a ChatML turn), and the chat template it was
 * trained with as chat_template.jinja) from the final checkpoint, where every rank has already put
 * its experts: the export needs no extra communication and can be redone from any checkpoint.
 * Tensors stream from the checkpoint's float32 master weights into the shards one at a time,
 * converted to the export type, so the exporting rank holds one tensor, never the model. The family
 * lays the tensors out as its checkpoints do (gpt-oss stacks each layer's experts again, one stack
 * at a time) and the config is the one loaded, less any quantization (experts are written in the
 * export type).
 */
final class ModelExport {
  static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

  private final Path target;
  private final DataType type;

  /**
   * @param type the stored type of every tensor: float32, bfloat16 or float16
   */
  ModelExport(Path target, DataType type) {
    this.target = target;
    this.type = type;
  }

  Path write(Checkpoint checkpoint, LoadedModel loaded) {
    try (CheckpointTensors tensors =
        new CheckpointTensors(checkpoint.dir(), Checkpointer.MODEL_FILE)) {
      ModelConfig config = loaded.model().config();
      TensorSource laidOut = config.family().definition().exportSource(config, tensors);
      Path folder = target.resolve("step-" + checkpoint.step());
      new HfCheckpointWriter(
              HfCheckpointWriter.DEFAULT_MAX_SHARD_BYTES, SafetensorsWriter.FloatStorage.of(type))
          .write(
              folder,
              ConfigDtype.declare(loaded.configJson(), type),
              laidOut,
              loaded.tokenizerFiles(),
              texts(loaded));
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException("exporting the model to " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * The template the model was trained with, as transformers reads it from the folder; for the byte
   * tokenizer of tiny-moe, also its tokenizer and generation files.
   */
  static Map<String, String> texts(LoadedModel loaded) {
    Map<String, String> texts = new LinkedHashMap<>();
    loaded.template().jinjaSource().ifPresent(source -> texts.put(CHAT_TEMPLATE_FILE, source));
    if (loaded.tokenizer() instanceof ByteTokenizer) {
      texts.put("tokenizer.json", ByteTokenizerFiles.tokenizerJson());
      texts.put("tokenizer_config.json", ByteTokenizerFiles.tokenizerConfigJson());
      texts.put("generation_config.json", ByteTokenizerFiles.generationConfigJson());
    }
    return texts;
  }
}
