package ai.llep.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.SafetensorsWriter;
import ai.llep.models.hf.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes adapters as PEFT saves them ({@code adapter_config.json}, {@code
 * adapter_model.safetensors} in float32), so that {@code PeftModel.from_pretrained} loads them onto
 * the transformers model: module adapters under their names, each MoE layer's expert adapters fused
 * as PEFT's {@code target_parameters} hold them ({@link PeftAdapterSource} reads them back).
 */
public final class PeftAdapterWriter {
  private PeftAdapterWriter() {}

  /**
   * Writes the adapters {@code adapters} holds under {@link LoraSites}' names (a checkpoint) into
   * {@code folder}, which must not exist or be empty.
   *
   * @param baseModel what the config names as the base model (its folder)
   */
  public static void write(
      Path folder, LoraSpec spec, ModelConfig config, TensorSource adapters, String baseModel)
      throws IOException {
    if (Files.exists(folder)) {
      try (var entries = Files.list(folder)) {
        if (entries.findAny().isPresent()) {
          throw new IOException("adapter folder " + folder + " already exists and is not empty");
        }
      }
    }
    Files.createDirectories(folder);
    LoraSites sites = new LoraSites(config, spec);
    PeftKeys keys = new PeftKeys(spec.targets());
    try (NDManager scope = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
      Map<String, NDArray> tensors = new LinkedHashMap<>();
      for (LoraSites.Module m : sites.modules()) {
        tensors.put(PeftKeys.module(m.a()), adapters.read(m.a(), scope, DataType.FLOAT32));
        tensors.put(PeftKeys.module(m.b()), adapters.read(m.b(), scope, DataType.FLOAT32));
      }
      int experts = config.numExperts();
      for (LoraSites.Experts e : sites.experts()) {
        NDList as = new NDList(experts);
        NDList bs = new NDList(experts);
        for (int x = 0; x < experts; x++) {
          as.add(adapters.read(e.a(x), scope, DataType.FLOAT32));
          bs.add(adapters.read(e.b(x), scope, DataType.FLOAT32));
        }
        NDArray a_ERI = NDArrays.stack(as, 0);
        NDArray b_EOR = NDArrays.stack(bs, 0);
        tensors.put(keys.experts(e, "lora_A"), a_ERI.reshape(experts * (long) spec.rank(), e.in()));
        tensors.put(
            keys.experts(e, "lora_B"),
            b_EOR.transpose(1, 2, 0).reshape(e.out(), (long) spec.rank() * experts));
      }
      SafetensorsWriter.write(
          folder.resolve(PeftAdapterSource.TENSORS),
          tensors,
          Map.of("format", "pt"),
          SafetensorsWriter.FloatStorage.AS_IS);
    }
    Files.writeString(
        folder.resolve(PeftAdapterConfig.FILE), PeftAdapterConfig.write(spec, baseModel));
  }
}
