package ai.llep.models.template;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Converts data to the values templates see, as Python's {@code json.loads} would give them. */
public final class TemplateValues {
  private TemplateValues() {}

  /** A JSON value: objects keep their key order, integers stay integers, {@code 1.0} is a float. */
  public static Object fromJson(JsonElement json) {
    if (json == null || json.isJsonNull()) {
      return null;
    }
    if (json instanceof JsonObject object) {
      Map<Object, Object> map = new LinkedHashMap<>();
      object.entrySet().forEach(e -> map.put(e.getKey(), fromJson(e.getValue())));
      return map;
    }
    if (json instanceof JsonArray array) {
      List<Object> list = new ArrayList<>(array.size());
      array.forEach(e -> list.add(fromJson(e)));
      return list;
    }
    JsonPrimitive primitive = json.getAsJsonPrimitive();
    if (primitive.isBoolean()) {
      return primitive.getAsBoolean();
    }
    if (primitive.isString()) {
      return primitive.getAsString();
    }
    String number = primitive.getAsString();
    if (number.contains(".") || number.contains("e") || number.contains("E")) {
      return primitive.getAsDouble();
    }
    return primitive.getAsLong();
  }

  /**
   * A Java value: {@link Integer}, {@link Short} and {@link Byte} become longs, {@link Float}
   * doubles; lists and maps are converted item by item; strings, booleans and null stay.
   */
  public static Object of(Object value) {
    return switch (value) {
      case null -> null;
      case String s -> s;
      case Boolean b -> b;
      case Long l -> l;
      case Integer i -> (long) i;
      case Short s -> (long) s;
      case Byte b -> (long) b;
      case Double d -> d;
      case Float f -> (double) f;
      case JsonElement json -> fromJson(json);
      case List<?> list -> {
        List<Object> out = new ArrayList<>(list.size());
        list.forEach(item -> out.add(of(item)));
        yield out;
      }
      case Map<?, ?> map -> {
        Map<Object, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(of(k), of(v)));
        yield out;
      }
      default ->
          throw new IllegalArgumentException(
              "not a template value: " + value.getClass().getName() + " " + value);
    };
  }
}
