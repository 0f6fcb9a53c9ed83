package ai.llep.models;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the committed {@code fixtures} (written by {@code scripts/fixtures/*.py}): finds the folder
 * from any module's working directory, and turns their JSON into arrays. The models' tests and the
 * trainer's (through this module's test jar) share it.
 */
public final class FixtureFiles {
  private FixtureFiles() {}

  /** The repository's {@code fixtures} folder that holds {@code kind}, found upwards. */
  public static Path root(String kind) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("fixtures").resolve(kind))) {
        return dir.resolve("fixtures");
      }
    }
    throw new IllegalStateException(
        "no fixtures/" + kind + " folder above " + Path.of("").toAbsolutePath());
  }

  public static JsonObject json(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int[] ints(JsonArray values) {
    int[] out = new int[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).getAsInt();
    }
    return out;
  }

  public static int[][] ints2(JsonArray rows) {
    int[][] out = new int[rows.size()][];
    for (int r = 0; r < out.length; r++) {
      out[r] = ints(rows.get(r).getAsJsonArray());
    }
    return out;
  }

  public static long[][] longs2(JsonArray rows) {
    long[][] out = new long[rows.size()][];
    for (int r = 0; r < out.length; r++) {
      JsonArray row = rows.get(r).getAsJsonArray();
      out[r] = new long[row.size()];
      for (int c = 0; c < row.size(); c++) {
        out[r][c] = row.get(c).getAsLong();
      }
    }
    return out;
  }
}
