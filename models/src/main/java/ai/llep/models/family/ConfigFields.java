package ai.llep.models.family;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;

/**
 * Typed reads of one {@code config.json} object. A field that is absent or JSON {@code null} takes
 * the given default, as Hugging Face's config classes do; a field of the wrong type is an error
 * naming the field and its value.
 */
public final class ConfigFields {
  private final JsonObject json;
  private final String where;

  ConfigFields(JsonObject json, String where) {
    this.json = json;
    this.where = where;
  }

  public boolean has(String field) {
    JsonElement value = json.get(field);
    return value != null && !value.isJsonNull();
  }

  /** Present with the value JSON {@code null}, which some fields treat unlike absence. */
  public boolean isNull(String field) {
    JsonElement value = json.get(field);
    return value != null && value.isJsonNull();
  }

  public int integer(String field, int fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonElement value = json.get(field);
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      double number = value.getAsDouble();
      if (number == Math.rint(number) && Math.abs(number) <= Integer.MAX_VALUE) {
        return (int) number;
      }
    }
    throw wrongType(field, "an integer", value);
  }

  public double number(String field, double fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonElement value = json.get(field);
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isNumber()) {
      return value.getAsDouble();
    }
    throw wrongType(field, "a number", value);
  }

  public boolean bool(String field, boolean fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonElement value = json.get(field);
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isBoolean()) {
      return value.getAsBoolean();
    }
    throw wrongType(field, "true or false", value);
  }

  public String string(String field, String fallback) {
    if (!has(field)) {
      return fallback;
    }
    JsonElement value = json.get(field);
    if (value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()) {
      return value.getAsString();
    }
    throw wrongType(field, "a string", value);
  }

  public List<Integer> integers(String field) {
    if (!has(field)) {
      return List.of();
    }
    JsonElement value = json.get(field);
    if (!value.isJsonArray()) {
      throw wrongType(field, "a list of integers", value);
    }
    JsonArray array = value.getAsJsonArray();
    List<Integer> out = new ArrayList<>(array.size());
    for (JsonElement element : array) {
      if (!(element instanceof JsonPrimitive p && p.isNumber())
          || element.getAsDouble() != Math.rint(element.getAsDouble())) {
        throw wrongType(field, "a list of integers", value);
      }
      out.add(element.getAsInt());
    }
    return out;
  }

  /** A list of strings; empty where absent. */
  public List<String> strings(String field) {
    if (!has(field)) {
      return List.of();
    }
    JsonElement value = json.get(field);
    if (!value.isJsonArray()) {
      throw wrongType(field, "a list of strings", value);
    }
    List<String> out = new ArrayList<>();
    for (JsonElement element : value.getAsJsonArray()) {
      if (!(element instanceof JsonPrimitive p && p.isString())) {
        throw wrongType(field, "a list of strings", value);
      }
      out.add(element.getAsString());
    }
    return out;
  }

  /** The nested object {@code field}, or null where absent. */
  public ConfigFields object(String field) {
    if (!has(field)) {
      return null;
    }
    JsonElement value = json.get(field);
    if (!value.isJsonObject()) {
      throw wrongType(field, "an object", value);
    }
    return new ConfigFields(value.getAsJsonObject(), name(field) + ".");
  }

  /** The field's name as errors print it, with its parent object's prefix. */
  public String name(String field) {
    return where + field;
  }

  private IllegalArgumentException wrongType(String field, String expected, JsonElement value) {
    return new IllegalArgumentException(
        "config.json field " + name(field) + " must be " + expected + ", got " + value);
  }
}
