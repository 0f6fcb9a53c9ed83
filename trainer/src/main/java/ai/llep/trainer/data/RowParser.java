package ai.llep.trainer.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/**
 * One JSONL row to an example, in the format given or, for {@link DataFormat#AUTO}, the one its
 * keys name. Every error names the row ({@code file:line}) and the key at fault.
 */
public final class RowParser {
  private RowParser() {}

  public static RawExample parse(String line, String where, DataFormat format) {
    JsonObject row;
    try {
      JsonElement element = JsonParser.parseString(line);
      if (!element.isJsonObject()) {
        throw new DataError(where + ": expected a JSON object, got " + JsonFields.kind(element));
      }
      row = element.getAsJsonObject();
    } catch (JsonParseException e) {
      throw new DataError(where + ": not valid JSON (" + rootMessage(e) + ")");
    }
    return parse(row, where, format);
  }

  public static RawExample parse(JsonObject row, String where, DataFormat format) {
    DataFormat actual = format == DataFormat.AUTO ? DataFormat.detect(row, where) : format;
    return switch (actual) {
      case MESSAGES -> ChatRows.messages(row, where);
      case SHAREGPT -> ChatRows.sharegpt(row, where);
      case ALPACA -> ChatRows.alpaca(row, where);
      case PROMPT_COMPLETION -> ChatRows.promptCompletion(row, where);
      case TEXT -> new RawExample.Text(JsonFields.string(row, "text", where), where);
      case TOKENIZED -> TokenRows.parse(row, where);
      case AUTO -> throw new IllegalStateException("detect never answers auto");
    };
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage();
  }
}
