package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.hf.HfCheckpointWriter;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.models.tokenizer.ByteTokenizer;
import ai.llep.models.tokenizer.ByteTokenizerFiles;
import ai.llep.trainer.checkpoint.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Writes the trained model in Hugging Face layout (config.json, sharded safetensors, index,
 * tokenizer files (for tiny-moe, files equivalent to its byte tokenizer and a
 * generation_config.json that stops at the end of a ChatML turn), and the chat template it was
 * trained with as chat_template.jinja) from the final checkpoint, where every rank has already put
 * its experts: the export needs no extra communication and can be redone from any checkpoint.
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
      Path folder = target.resolve("step-" + checkpoint.step());
      new HfCheckpointWriter(
              HfCheckpointWriter.DEFAULT_MAX_SHARD_BYTES, SafetensorsWriter.FloatStorage.AS_IS)
          .write(folder, loaded.configJson(), ordered, loaded.tokenizerFiles(), texts(loaded));
      return folder;
    } catch (IOException e) {
      throw new UncheckedIOException("exporting the model to " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * The template the model was trained with, as transformers reads it from the folder; for the byte
   * tokenizer of tiny-moe, also its tokenizer and generation files.
   */
  private static Map<String, String> texts(LoadedModel loaded) {
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
