package ai.llep.trainer.train;

import static ai.llep.models.FixtureFiles.ints;
import static ai.llep.models.FixtureFiles.ints2;
import static ai.llep.models.FixtureFiles.json;
import static ai.llep.models.FixtureFiles.longs2;

import ai.llep.models.ActivationCheckpointing;
import ai.llep.models.FixtureFiles;
import ai.llep.models.lora.LoraFixture;
import ai.llep.models.tokenizer.TemplateOptions;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.DataOptions;
import ai.llep.trainer.data.PackedSequence;
import ai.llep.trainer.data.SequencePacker;
import ai.llep.trainer.data.TemplateSetting;
import ai.llep.trainer.data.Truncation;
import ai.llep.trainer.optim.AdamWConfig;
import ai.llep.trainer.optim.LrSchedule;
import ai.llep.trainer.optim.OptimOptions;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One folder of {@code fixtures/parity} (written by {@code
 * scripts/fixtures/make-parity-fixtures.py}): a tiny Hugging Face model, a fixed batch, the run as
 * config keys, and what transformers + {@code torch.optim.AdamW} computed for it (in float32, and
 * the step-1 loss of the model loaded in bfloat16).
 */
record ParityFixture(
    String name,
    Path modelDir,
    int[][] inputIds,
    int[][] labels,
    JsonObject training,
    List<Step> steps,
    int[] moeLayers,
    double lossAfter,
    double bf16Step1Loss,
    long seed) {

  /**
   * What transformers computed at one optimizer step (1-based); {@code expertLoads[i]} is MoE layer
   * {@code moeLayers[i]}'s top-k choices per expert.
   */
  record Step(int step, double lr, double loss, double gradNorm, long[][] expertLoads) {}

  static final String KIND = "training-parity";

  /** Every fixture of the training-parity kind, by folder name. */
  static List<ParityFixture> all() {
    Path root = root().resolve("parity");
    try (Stream<Path> folders = Files.list(root)) {
      List<ParityFixture> out = new ArrayList<>();
      for (Path folder : folders.sorted().toList()) {
        JsonObject manifest = json(folder.resolve("manifest.json"));
        if (manifest.get("kind").getAsString().equals(KIND)) {
          out.add(read(folder, manifest));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ParityFixture named(String name) {
    return all().stream()
        .filter(f -> f.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no parity fixture " + name));
  }

  /** The repository's {@code fixtures} folder, found upwards from the working directory. */
  static Path root() {
    return FixtureFiles.root("parity");
  }

  /**
   * The LoRA run of {@code lora} on its parity fixture's model and batch: the run and the expected
   * steps are the LoRA fixture's (PEFT training only the adapters), with no bfloat16 loss.
   */
  static ParityFixture ofLora(LoraFixture lora) {
    ParityFixture base = named(lora.name());
    return new ParityFixture(
        lora.name(),
        base.modelDir(),
        base.inputIds(),
        base.labels(),
        lora.training(),
        steps(lora.expected()),
        base.moeLayers(),
        lora.lossAfter(),
        Double.NaN,
        base.seed());
  }

  private static ParityFixture read(Path folder, JsonObject manifest) {
    JsonObject batch = json(folder.resolve("batch.json"));
    JsonObject expected = json(folder.resolve("expected.json"));
    return new ParityFixture(
        folder.getFileName().toString(),
        folder.resolve("model"),
        ints2(batch.getAsJsonArray("input_ids")),
        ints2(batch.getAsJsonArray("labels")),
        json(folder.resolve("training.json")),
        steps(expected),
        ints(expected.getAsJsonArray("moe_layers")),
        expected.get("loss_after").getAsDouble(),
        expected.get("bf16_step1_loss").getAsDouble(),
        manifest.get("seed").getAsLong());
  }

  private static List<Step> steps(JsonObject expected) {
    List<Step> steps = new ArrayList<>();
    for (JsonElement e : expected.getAsJsonArray("steps")) {
      JsonObject s = e.getAsJsonObject();
      steps.add(
          new Step(
              s.get("step").getAsInt(),
              s.get("lr").getAsDouble(),
              s.get("loss").getAsDouble(),
              s.get("grad_norm").getAsDouble(),
              longs2(s.getAsJsonArray("expert_loads"))));
    }
    return steps;
  }

  /** The batch's rows, as the trainer's data pipeline hands them to a step. */
  List<PackedSequence> rows() {
    List<PackedSequence> rows = new ArrayList<>();
    for (int r = 0; r < inputIds.length; r++) {
      rows.add(new PackedSequence(inputIds[r], labels[r]));
    }
    return rows;
  }

  /**
   * The settings {@code train} binds from the fixture's config keys, with every row of the batch in
   * each optimizer step, split over {@code worldSize} ranks and {@code gradAccum} micro-batches on
   * each. The expected values hold for any such split: the loss of a step is the mean over all its
   * counted tokens.
   */
  TrainSettings settings(int worldSize, int gradAccum, Path checkpoints, Path export) {
    return settings(worldSize, gradAccum, checkpoints, export, 0, 1, LoopOptions.Resume.NONE);
  }

  /** {@link #settings(int, int, Path, Path)} with checkpoints every so many steps and a resume. */
  TrainSettings settings(
      int worldSize,
      int gradAccum,
      Path checkpoints,
      Path export,
      int checkpointEvery,
      int keepLast,
      LoopOptions.Resume resume) {
    return settings(
        worldSize,
        gradAccum,
        checkpoints,
        export,
        checkpointEvery,
        keepLast,
        resume,
        ActivationCheckpointing.NONE);
  }

  /** {@link #settings(int, int, Path, Path)} with activation checkpointing and no export. */
  TrainSettings settings(int worldSize, Path checkpoints, ActivationCheckpointing checkpointing) {
    return settings(worldSize, 1, checkpoints, null, 0, 1, LoopOptions.Resume.NONE, checkpointing);
  }

  private TrainSettings settings(
      int worldSize,
      int gradAccum,
      Path checkpoints,
      Path export,
      int checkpointEvery,
      int keepLast,
      LoopOptions.Resume resume,
      ActivationCheckpointing checkpointing) {
    int rows = inputIds.length;
    if (rows % (worldSize * gradAccum) != 0) {
      throw new IllegalArgumentException(
          rows
              + " rows do not split over "
              + worldSize
              + " ranks x "
              + gradAccum
              + " micro-batches");
    }
    return new TrainSettings(
        new LoopOptions(
            integer("train.max-steps"),
            gradAccum,
            Set.of(),
            1,
            resume,
            Optional.ofNullable(export),
            checkpointing),
        new DataOptions(
            List.of(DataFile.of(modelDir.resolveSibling("batch.json"))),
            new TemplateSetting("auto", TemplateOptions.NONE),
            inputIds[0].length,
            SequencePacker.Mode.PAD,
            rows / (worldSize * gradAccum),
            false,
            Truncation.TRUNCATE),
        new OptimOptions(
            number("optim.lr"),
            number("optim.min-lr-ratio"),
            integer("optim.warmup-steps"),
            LrSchedule.Decay.valueOf(
                training.get("optim.schedule").getAsString().toUpperCase(Locale.ROOT)),
            new AdamWConfig(
                number("optim.beta1"),
                number("optim.beta2"),
                number("optim.eps"),
                number("optim.weight-decay")),
            number("optim.grad-clip")),
        new CheckpointOptions(checkpoints, checkpointEvery, keepLast),
        seed,
        SelfKill.NONE);
  }

  private int integer(String key) {
    return field(key).getAsInt();
  }

  private double number(String key) {
    return field(key).getAsDouble();
  }

  private JsonElement field(String key) {
    JsonElement value = training.get(key);
    if (value == null) {
      throw new IllegalArgumentException(name + "/training.json has no " + key);
    }
    return value;
  }
}
