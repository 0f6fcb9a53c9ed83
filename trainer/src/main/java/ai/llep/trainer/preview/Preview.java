package ai.llep.trainer.preview;

import ai.llep.models.tokenizer.EncodedChat;
import ai.llep.trainer.data.RawExample;
import ai.llep.trainer.data.TrainingRows;
import ai.llep.trainer.data.Truncation;
import ai.llep.trainer.train.ChatFormat;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What training sees of some examples, through training's own path ({@link TrainingRows#encode} and
 * {@link TrainingRows#fit}): each example's rendered text with the learned tokens marked on the
 * console, and optionally one JSON line per example with the text, the {@code input_ids} and the
 * {@code loss_mask} training takes (cut to {@code data.max-length} as training cuts it).
 */
public final class Preview {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

  private final ChatFormat format;
  private final int maxLength;
  private final Truncation truncation;

  public Preview(ChatFormat format, int maxLength, Truncation truncation) {
    this.format = format;
    this.maxLength = maxLength;
    this.truncation = truncation;
  }

  /** Shows {@code examples} on {@code out} and writes them to {@code output} when given. */
  public void show(List<RawExample> examples, PrintStream out, Optional<Path> output) {
    out.println(
        "preview: template "
            + format.template().name()
            + "; learned tokens are between "
            + MarkedText.START
            + " and "
            + MarkedText.END);
    try (BufferedWriter json = output.isPresent() ? writer(output.get()) : null) {
      int index = 0;
      for (RawExample example : examples) {
        index++;
        EncodedChat full = TrainingRows.encode(example, format.template(), format.tokenizer());
        Optional<EncodedChat> fitted =
            TrainingRows.fit(full, example.source(), maxLength, truncation);
        out.println(header(index, example, full, fitted));
        if (fitted.isEmpty()) {
          continue;
        }
        EncodedChat seen = fitted.get();
        out.println(MarkedText.of(format.tokenizer(), seen.inputIds(), seen.lossMask()));
        if (json != null) {
          json.write(GSON.toJson(line(example, full, seen)));
          json.newLine();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing preview.output: " + e.getMessage(), e);
    }
    output.ifPresent(path -> out.println("preview: wrote " + path));
  }

  private String header(
      int index, RawExample example, EncodedChat full, Optional<EncodedChat> fitted) {
    String head =
        "=== example " + index + ": " + example.source() + " (" + example.format().spelling() + ")";
    if (fitted.isEmpty()) {
      return head
          + ": dropped, "
          + full.inputIds().length
          + " tokens > data.max-length="
          + maxLength
          + " (data.truncation=drop)";
    }
    EncodedChat seen = fitted.get();
    int learned = 0;
    for (boolean b : seen.lossMask()) {
      learned += b ? 1 : 0;
    }
    String cut =
        seen == full
            ? ""
            : ", cut from " + full.inputIds().length + " (data.max-length=" + maxLength + ")";
    return head + ": " + seen.inputIds().length + " tokens" + cut + ", " + learned + " learned";
  }

  private static JsonObject line(RawExample example, EncodedChat full, EncodedChat seen) {
    JsonObject line = new JsonObject();
    line.addProperty("source", example.source());
    line.addProperty("format", example.format().spelling());
    line.addProperty("text", full.text());
    JsonArray ids = new JsonArray();
    JsonArray mask = new JsonArray();
    for (int t = 0; t < seen.inputIds().length; t++) {
      ids.add(seen.inputIds()[t]);
      mask.add(seen.lossMask()[t] ? 1 : 0);
    }
    line.add("input_ids", ids);
    line.add("loss_mask", mask);
    if (seen != full) {
      line.addProperty("tokens_before_truncation", full.inputIds().length);
    }
    return line;
  }

  private static BufferedWriter writer(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    return Files.newBufferedWriter(path, StandardCharsets.UTF_8);
  }
}
