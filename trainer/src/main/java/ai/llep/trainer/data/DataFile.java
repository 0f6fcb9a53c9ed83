package ai.llep.trainer.data;

import java.nio.file.Path;
import java.util.Objects;

/**
 * One JSONL file of {@code data.files} with its mixture weight and format.
 *
 * @param weight how many times each of its examples is used per epoch: 2 = every example twice, 0.5
 *     = a random half (chosen by the seed), 1.5 = every example once and a random half again
 * @param format how its rows are read ({@link DataFormat#AUTO}: each row by its keys)
 */
public record DataFile(Path path, double weight, DataFormat format) {
  public DataFile {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(format, "format");
    if (!(weight > 0) || Double.isInfinite(weight)) {
      throw new IllegalArgumentException(
          "the weight of data file " + path + " must be a positive number, got " + weight);
    }
  }

  /** A file used once per epoch, each row read by its keys. */
  public static DataFile of(Path path) {
    return new DataFile(path, 1.0, DataFormat.AUTO);
  }
}
