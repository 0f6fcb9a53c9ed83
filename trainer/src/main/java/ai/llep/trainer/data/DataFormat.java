package ai.llep.trainer.data;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a JSONL row holds its example ({@code data.format}, or a file's own {@code format}). {@link
 * #AUTO} tells each row's format by its keys, in the order of this enum: a row with both {@code
 * messages} and {@code prompt} (as some chat data sets have) is a conversation.
 */
public enum DataFormat {
  AUTO("auto", ""),
  /** {@code {"input_ids": [...], "labels" | "loss_mask": [...]}}: ids as they are. */
  TOKENIZED("tokenized", "input_ids"),
  /** {@code {"messages": [{"role", "content", ...}], "tools": [...]}}: OpenAI style. */
  MESSAGES("messages", "messages"),
  /** {@code {"conversations": [{"from", "value"}], "system", "tools"}}. */
  SHAREGPT("sharegpt", "conversations"),
  /** {@code {"instruction", "input", "output", "system", "history"}}. */
  ALPACA("alpaca", "instruction"),
  /** {@code {"prompt", "completion"}}: strings, or lists of messages (TRL's conversational). */
  PROMPT_COMPLETION("prompt-completion", "prompt"),
  /** {@code {"text"}}: continued pre-training, the loss on every token. */
  TEXT("text", "text");

  private final String spelling;
  private final String key;

  DataFormat(String spelling, String key) {
    this.spelling = spelling;
    this.key = key;
  }

  /** As configs spell it. */
  public String spelling() {
    return spelling;
  }

  /** The key that marks a row of this format. */
  String key() {
    return key;
  }

  /** {@code text} as a format; an error names {@code configKey} and the valid spellings. */
  public static DataFormat parse(String text, String configKey) {
    for (DataFormat format : values()) {
      if (format.spelling.equals(text.strip().toLowerCase(Locale.ROOT))) {
        return format;
      }
    }
    throw new IllegalArgumentException(
        configKey + "=" + text + " is not one of: " + spellings(values()));
  }

  /** The format of {@code row} by its keys; an error names {@code where} and the keys it has. */
  static DataFormat detect(JsonObject row, String where) {
    for (DataFormat format : values()) {
      if (format != AUTO
          && (row.has(format.key) || format == PROMPT_COMPLETION && row.has("completion"))) {
        return format;
      }
    }
    throw new DataError(
        where
            + ": no data format has the keys "
            + row.keySet()
            + " (expected one of "
            + Arrays.stream(values())
                .filter(f -> f != AUTO)
                .map(f -> "\"" + f.key + "\" (" + f.spelling + ")")
                .collect(Collectors.joining(", "))
            + ")");
  }

  private static String spellings(DataFormat[] formats) {
    return Arrays.stream(formats).map(DataFormat::spelling).collect(Collectors.joining(", "));
  }
}
