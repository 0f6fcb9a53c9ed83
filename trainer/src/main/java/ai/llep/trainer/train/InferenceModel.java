package ai.llep.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.models.ModelShard;
import ai.llep.models.MoeTransformer;
import ai.llep.models.hf.GenerationConfig;
import ai.llep.models.tokenizer.ByteTokenizerFiles;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.plan.Planner;
import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.data.TemplateSetting;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A model opened to run, not to train: this rank's shard of the weights (of the spec's model, or of
 * a checkpoint of this project), the tokenizer, the chat template, and the ids that end generation
 * ({@code generation_config.json} or {@code config.json} of a Hugging Face folder; EOS and ChatML's
 * end of turn for tiny-moe). Closing it frees the weights and the tokenizer.
 */
public final class InferenceModel implements AutoCloseable {
  private final LoadedModel loaded;
  private final List<Integer> eosIds;

  private InferenceModel(LoadedModel loaded, List<Integer> eosIds) {
    this.loaded = loaded;
    this.eosIds = List.copyOf(eosIds);
  }

  /**
   * @param checkpoint a published step folder of this project whose weights replace the spec's, or
   *     null
   * @param planner how the model's MoE layers dispatch (EP, LLEP or the switch between them)
   * @param computeType float32, or bfloat16 (bfloat16 compute over float32 weights)
   */
  public static InferenceModel open(
      ModelSpec spec,
      Path checkpoint,
      TemplateSetting template,
      long seed,
      ModelShard shard,
      Planner planner,
      DataType computeType,
      NDManager manager) {
    List<Integer> eosIds = eosIds(spec);
    CheckpointTensors weights =
        checkpoint == null ? null : new CheckpointTensors(checkpoint, Checkpointer.MODEL_FILE);
    try {
      return new InferenceModel(
          LoadedModel.open(spec, weights, template, seed, shard, planner, manager, computeType),
          eosIds);
    } finally {
      if (weights != null) {
        weights.close();
      }
    }
  }

  /**
   * The type that {@code precision}, the value of config key {@code key}, computes in on {@code
   * device} ({@code auto}: bf16 on a GPU with bfloat16 tensor cores, else float32, as training
   * picks), with libtorch's TF32 switch set to match.
   */
  public static Numerics numerics(String key, Precision precision, Device device) {
    Precision mode = precision.on(device);
    String warning = mode.applyMatmulMode(device, key);
    String line =
        switch (mode) {
          case BF16 -> "bf16 (bfloat16 compute over float32 weights)";
          case TF32 -> "tf32 (float32 with TF32 matrix products)";
          default -> "float32";
        };
    return new Numerics(mode.computeType(), line, warning);
  }

  /** How generation computes: its type, a description, and a warning (TF32 forced on) or null. */
  public record Numerics(DataType computeType, String described, String warning) {}

  private static List<Integer> eosIds(ModelSpec spec) {
    if (spec.isTiny()) {
      return ByteTokenizerFiles.EOS_IDS;
    }
    try {
      return GenerationConfig.eosIds(spec.folder());
    } catch (IOException e) {
      throw new UncheckedIOException("model " + spec.source() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The checkpoint of this project that {@code folder} names: itself when it is a published step
   * folder, the newest complete step when it holds step folders (a {@code checkpoint.dir}); empty
   * when it is neither.
   */
  public static Optional<Path> checkpointStep(Path folder) {
    if (Files.isRegularFile(folder.resolve(CheckpointLayout.COMPLETE))) {
      return Optional.of(folder);
    }
    return new CheckpointLayout(folder).latest(CheckpointLayout.Verify.SIZES).map(Checkpoint::dir);
  }

  /** The resolved config a checkpoint was trained with (rank 0's {@code config.conf}). */
  public static String savedConfig(Path step) {
    try (Stream<Path> entries = Files.list(step)) {
      Path file =
          entries
              .filter(Files::isDirectory)
              .sorted()
              .map(dir -> dir.resolve(Checkpointer.CONFIG_FILE))
              .filter(Files::isRegularFile)
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "checkpoint " + step + " has no " + Checkpointer.CONFIG_FILE));
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException("reading checkpoint " + step + ": " + e.getMessage(), e);
    }
  }

  public MoeTransformer model() {
    return loaded.model();
  }

  public TextTokenizer tokenizer() {
    return loaded.tokenizer();
  }

  public ChatTemplate template() {
    return loaded.template();
  }

  /** The token ids that end a completion; empty when the model names none. */
  public List<Integer> eosIds() {
    return eosIds;
  }

  @Override
  public void close() {
    try {
      loaded.model().close();
    } finally {
      if (loaded.tokenizer() instanceof AutoCloseable tokenizer) {
        try {
          tokenizer.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the tokenizer: " + e.getMessage(), e);
        }
      }
    }
  }
}
