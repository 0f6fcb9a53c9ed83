package ai.llep.models.lora;

import static ai.llep.models.FixtureFiles.ints2;
import static ai.llep.models.FixtureFiles.json;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.FixtureFiles;
import ai.llep.models.ModelShard;
import ai.llep.models.MoeTransformer;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.TensorSource;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

/**
 * One folder of {@code fixtures/lora} (written by {@code scripts/fixtures/make-lora-fixtures.py}):
 * PEFT's adapters on the model and batch of the parity fixture of the same name, the adapter and
 * the run as config keys, and what PEFT + transformers + {@code torch.optim.AdamW} computed
 * training only the adapters. The models' tests and the trainer's (through this module's test jar)
 * read it.
 *
 * @param modelDir the parity fixture's base model
 * @param spec the adapter, with the parity fixture's seed
 * @param expected {@code expected.json}: per step loss, gradient norm and expert loads, and the
 *     loss after the last step
 * @param training {@code training.json}: the run as config keys
 * @param inputIds the parity fixture's batch
 * @param labels the parity fixture's labels for it
 */
public record LoraFixture(
    String name,
    Path folder,
    Path modelDir,
    LoraSpec spec,
    JsonObject expected,
    JsonObject training,
    int[][] inputIds,
    int[][] labels) {

  public static LoraFixture named(String name) {
    Path root = FixtureFiles.root("lora");
    Path folder = root.resolve("lora").resolve(name);
    Path parity = root.resolve("parity").resolve(name);
    JsonObject batch = json(parity.resolve("batch.json"));
    return new LoraFixture(
        name,
        folder,
        parity.resolve("model"),
        spec(
            json(folder.resolve("lora.json")),
            json(parity.resolve("manifest.json")).get("seed").getAsLong()),
        json(folder.resolve("expected.json")),
        json(folder.resolve("training.json")),
        ints2(batch.getAsJsonArray("input_ids")),
        ints2(batch.getAsJsonArray("labels")));
  }

  /** PEFT's adapters before training. */
  /** The fixture's base from {@code base} with {@code adapter}, on one rank with EP. */
  public MoeTransformer load(
      HfCheckpoint base, TensorSource adapter, DataType computeType, NDManager manager) {
    return MoeTransformer.load(
        HfConfigParser.parse(base.configText()),
        base,
        ModelShard.single(),
        Planner.create(DispatchMode.EP, PlannerOptions.defaults()),
        computeType,
        manager,
        new LoraModel(spec(), adapter, 0));
  }

  public Path initialAdapter() {
    return folder.resolve("adapter-initial");
  }

  /** PEFT's adapters after training. */
  public Path trainedAdapter() {
    return folder.resolve("adapter-trained");
  }

  /** PEFT's {@code merge_and_unload} of the trained adapters. */
  public Path merged() {
    return folder.resolve("merged").resolve("model.safetensors");
  }

  public double step1Loss() {
    return expected.getAsJsonArray("steps").get(0).getAsJsonObject().get("loss").getAsDouble();
  }

  public double lossAfter() {
    return expected.get("loss_after").getAsDouble();
  }

  private static LoraSpec spec(JsonObject lora, long seed) {
    Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
    for (JsonElement t : lora.getAsJsonArray("lora.targets")) {
      targets.add(LoraTarget.parse("lora.targets", t.getAsString()));
    }
    return new LoraSpec(
        lora.get("lora.rank").getAsInt(),
        lora.get("lora.alpha").getAsDouble(),
        lora.get("lora.dropout").getAsDouble(),
        lora.get("lora.use-rslora").getAsBoolean(),
        LoraInit.KAIMING,
        targets,
        seed);
  }
}
