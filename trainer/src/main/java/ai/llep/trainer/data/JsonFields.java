package ai.llep.trainer.data;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

/** Typed reads of a row's JSON fields; a wrong or missing one is a {@link DataError} naming it. */
final class JsonFields {
  private JsonFields() {}

  /** The string {@code key} of {@code object}, which must be there. */
  static String string(JsonObject object, String key, String where) {
    JsonElement value = object.get(key);
    if (value == null || value.isJsonNull()) {
      throw new DataError(where + ": missing \"" + key + "\"");
    }
    return string(value, where + ": \"" + key + "\"");
  }

  /** The string {@code key} of {@code object}, or null when it is absent or null. */
  static String optionalString(JsonObject object, String key, String where) {
    JsonElement value = object.get(key);
    return value == null || value.isJsonNull() ? null : string(value, where + ": \"" + key + "\"");
  }

  /** {@code value} as a string; {@code what} names it in the error. */
  static String string(JsonElement value, String what) {
    if (!isString(value)) {
      throw new DataError(what + " must be a string, got " + kind(value));
    }
    return value.getAsString();
  }

  static boolean isString(JsonElement value) {
    return value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString();
  }

  /** What a JSON value is, in words, for errors. */
  static String kind(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return "null";
    }
    if (e.isJsonArray()) {
      return "an array";
    }
    if (e.isJsonObject()) {
      return "an object";
    }
    if (e.getAsJsonPrimitive().isString()) {
      return "a string";
    }
    return e.getAsJsonPrimitive().isNumber() ? "a number" : "a boolean";
  }
}
