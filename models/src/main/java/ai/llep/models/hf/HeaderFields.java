package ai.llep.models.hf;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;

/** Reads one tensor's fields from a safetensors header, rejecting anything not exactly typed. */
final class HeaderFields {
  private HeaderFields() {}

  static TensorEntry tensor(String label, String name, JsonElement value) throws IOException {
    String where = label + ": tensor '" + name + "'";
    if (!value.isJsonObject()) {
      throw new IOException(where + " is not a JSON object");
    }
    JsonObject fields = value.getAsJsonObject();
    JsonElement dtypeField = fields.get("dtype");
    if (dtypeField == null
        || !dtypeField.isJsonPrimitive()
        || !dtypeField.getAsJsonPrimitive().isString()) {
      throw new IOException(where + " has no string field 'dtype'");
    }
    SafetensorsDtype dtype =
        SafetensorsDtype.parse(dtypeField.getAsString())
            .orElseThrow(
                () ->
                    new IOException(
                        where + " has unknown dtype '" + dtypeField.getAsString() + "'"));
    long[] shape = longs(where, fields, "shape", -1);
    long[] offsets = longs(where, fields, "data_offsets", 2);
    return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
  }

  /** A field that is an array of non-negative integers, of {@code length} unless it is -1. */
  private static long[] longs(String where, JsonObject fields, String key, int length)
      throws IOException {
    JsonElement field = fields.get(key);
    if (field == null || !field.isJsonArray()) {
      throw new IOException(where + " has no array field '" + key + "'");
    }
    JsonArray array = field.getAsJsonArray();
    if (length >= 0 && array.size() != length) {
      throw new IOException(
          where + " field '" + key + "' has " + array.size() + " entries, expected " + length);
    }
    long[] values = new long[array.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = nonNegative(where, key, array.get(i));
    }
    return values;
  }

  private static long nonNegative(String where, String key, JsonElement element)
      throws IOException {
    String text =
        element.isJsonPrimitive() && element.getAsJsonPrimitive().isNumber()
            ? element.getAsString()
            : "";
    if (text.isEmpty() || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IOException(
          where + " field '" + key + "' holds " + element + ", not a non-negative integer");
    }
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IOException(where + " field '" + key + "' holds " + text + ", too large");
    }
  }
}
