package ai.llep.trainer.train;

import ai.djl.ndarray.types.DataType;
import ai.llep.models.hf.HfCheckpoint;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code train.export-dtype}: the floating type of the exported model's tensors. {@code auto} is
 * the source checkpoint's own type (the type holding most of its floating-point elements; float32
 * for the embedded tiny-moe; for {@code model.weights=random}, the type its {@code config.json}
 * declares, float32 when it declares none), whatever {@code train.precision} trained in.
 */
public enum ExportDtype {
  AUTO,
  FLOAT32,
  BFLOAT16,
  FLOAT16;

  /** Parses {@code train.export-dtype}; the error names the key and the valid values. */
  public static ExportDtype parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "train.export-dtype=" + text + " is not one of: auto, float32, bfloat16, float16");
    }
  }

  /** The type to export in for a model from {@code source}. */
  DataType resolve(ModelSpec source) {
    return switch (this) {
      case FLOAT32 -> DataType.FLOAT32;
      case BFLOAT16 -> DataType.BFLOAT16;
      case FLOAT16 -> DataType.FLOAT16;
      case AUTO ->
          source.isTiny()
              ? DataType.FLOAT32
              : source.randomWeights() ? declaredType(source) : storedType(source);
    };
  }

  /** The type {@code config.json} declares ({@code dtype}, or {@code torch_dtype}). */
  static DataType declaredType(ModelSpec source) {
    try {
      JsonObject config =
          JsonParser.parseString(Files.readString(source.folder().resolve("config.json")))
              .getAsJsonObject();
      JsonElement declared = config.has("dtype") ? config.get("dtype") : config.get("torch_dtype");
      String name = declared == null || !declared.isJsonPrimitive() ? "" : declared.getAsString();
      return switch (name) {
        case "bfloat16" -> DataType.BFLOAT16;
        case "float16" -> DataType.FLOAT16;
        default -> DataType.FLOAT32;
      };
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(
          "train.export-dtype=auto reads model.source="
              + source.folder()
              + "/config.json: "
              + e.getMessage(),
          e);
    }
  }

  /** The floating type most of the checkpoint's elements are stored in (headers only). */
  static DataType storedType(ModelSpec source) {
    try (HfCheckpoint checkpoint = HfCheckpoint.open(source.folder())) {
      Map<DataType, Long> elements = new EnumMap<>(DataType.class);
      for (String name : checkpoint.names()) {
        DataType type =
            switch (checkpoint.storedType(name)) {
              case "F32", "F64" -> DataType.FLOAT32;
              case "BF16" -> DataType.BFLOAT16;
              case "F16" -> DataType.FLOAT16;
              default -> null;
            };
        if (type != null) {
          elements.merge(type, checkpoint.shape(name).size(), Long::sum);
        }
      }
      return elements.entrySet().stream()
          .max(Map.Entry.comparingByValue())
          .map(Map.Entry::getKey)
          .orElse(DataType.FLOAT32);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "train.export-dtype=auto reads model.source=" + source.folder() + ": " + e.getMessage(),
          e);
    }
  }
}
