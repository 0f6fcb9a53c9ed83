package ai.llep.trainer.train;

import ai.djl.ndarray.types.DataType;
import ai.llep.models.MoeTransformer;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.ConfigDtype;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.HfCheckpointWriter;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.lora.MergedTensors;
import ai.llep.models.lora.PeftAdapterWriter;
import ai.llep.trainer.checkpoint.Checkpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The export of a LoRA run, from its final checkpoint (which holds the adapters, each rank its own
 * experts'): the adapter in PEFT's layout ({@code step-N/}: {@code adapter_config.json}, {@code
 * adapter_model.safetensors}), and with {@code lora.merge-on-export}, or where PEFT cannot load the
 * adapter ({@link LoraOptions#peftLoadable}), the base with the adapters merged in, in Hugging Face
 * layout and {@code train.export-dtype} ({@code step-N-merged/}), streamed one tensor at a time.
 */
final class AdapterExport {
  private final Path target;
  private final LoraOptions lora;
  private final DataType type;
  private final ModelSpec source;
  private final long seed;

  AdapterExport(Path target, LoraOptions lora, DataType type, ModelSpec source, long seed) {
    this.target = target;
    this.lora = lora;
    this.type = type;
    this.source = source;
    this.seed = seed;
  }

  /** Writes the export; returns what it wrote, as lines for the console. */
  List<String> write(Checkpoint checkpoint, LoadedModel loaded) {
    List<String> said = new ArrayList<>();
    ModelConfig config = loaded.model().config();
    Path adapter = target.resolve("step-" + checkpoint.step());
    Path merged = target.resolve("step-" + checkpoint.step() + "-merged");
    try (CheckpointTensors adapters =
        new CheckpointTensors(checkpoint.dir(), Checkpointer.MODEL_FILE)) {
      if (lora.peftLoadable()) {
        String base =
            source.isTiny() ? ModelSpec.TINY : source.folder().toAbsolutePath().toString();
        PeftAdapterWriter.write(adapter, lora.spec(), config, adapters, base);
        said.add("exported the LoRA adapter in PEFT's layout to " + adapter);
      } else {
        said.add(
            "no PEFT adapter exported: lora.targets names a dense MLP projection (gate_proj, up_proj"
                + " or down_proj), which PEFT 0.21 on transformers 5 would put on the experts;"
                + " exporting the merged model instead");
      }
      if (lora.mergeOnExport() || !lora.peftLoadable()) {
        writeMerged(merged, config, adapters, loaded);
        said.add("exported the merged model in Hugging Face layout to " + merged);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(
          "exporting the adapter to " + target + ": " + e.getMessage(), e);
    }
    return said;
  }

  private void writeMerged(
      Path folder, ModelConfig config, TensorSource adapters, LoadedModel loaded)
      throws IOException {
    HfCheckpointWriter writer =
        new HfCheckpointWriter(
            HfCheckpointWriter.DEFAULT_MAX_SHARD_BYTES, SafetensorsWriter.FloatStorage.of(type));
    Map<String, String> texts = ModelExport.texts(loaded);
    String configJson = ConfigDtype.declare(loaded.configJson(), type);
    if (source.drawsWeights()) {
      TensorSource base = MoeTransformer.randomTensors(config, seed);
      writer.write(
          folder,
          configJson,
          new MergedTensors(base, adapters, lora.spec(), config),
          loaded.tokenizerFiles(),
          texts);
      return;
    }
    try (HfCheckpoint base = HfCheckpoint.open(source.folder())) {
      writer.write(
          folder,
          configJson,
          new MergedTensors(base, adapters, lora.spec(), config),
          loaded.tokenizerFiles(),
          texts);
    }
  }
}
