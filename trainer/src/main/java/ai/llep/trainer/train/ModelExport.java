package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.HfCheckpointWriter;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.trainer.checkpoint.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Writes the trained model in Hugging Face layout (config.json, sharded safetensors, index,
 * tokenizer files, and the chat template it was trained with as chat_template.jinja) from the final
 * checkpoint, where every rank has already put its experts: the export needs no extra communication
 * and can be redone from any checkpoint. The family lays the tensors out as its checkpoints do
 * (gpt-oss stacks each layer's experts again) and the config is the one loaded, less any
 * quantization (experts are written in the training precision).
 */
final class ModelExport {
  static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

  private final Path target;

  ModelExport(Path target) {
    this.target = target;
  }

  Path write(Checkpoint checkpoint, LoadedModel loaded) {
    try (CheckpointTensors tensors =
            new CheckpointTensors(checkpoint.dir(), Checkpointer.MODEL_FILE);
        NDManager scope = NDManager.newBaseManager(ai.djl.Device.cpu())) {
      SequencedMap<String, NDArray> ordered = new LinkedHashMap<>();
      for (String name : tensors.names()) {
        ordered.put(name, tensors.read(name, scope, DataType.FLOAT32));
      }
      ModelConfig config = loaded.model().config();
      ordered = config.family().definition().exportTensors(config, ordered);
      Path folder = target.resolve("step-" + checkpoint.step());
      new HfCheckpointWriter(
              HfCheckpointWriter.DEFAULT_MAX_SHARD_BYTES, SafetensorsWriter.FloatStorage.AS_IS)
          .write(
              folder, loaded.configJson(), ordered, loaded.tokenizerFiles(), chatTemplate(loaded));
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException("exporting the model to " + target + ": " + e.getMessage(), e);
    }
  }

  /** The template the model was trained with, as transformers reads it from the folder. */
  private static Map<String, String> chatTemplate(LoadedModel loaded) {
    return loaded
        .template()
        .jinjaSource()
        .map(source -> Map.of(CHAT_TEMPLATE_FILE, source))
        .orElse(Map.of());
  }
}
