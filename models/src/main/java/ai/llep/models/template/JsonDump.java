package ai.llep.models.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code json.dumps(value, ensure_ascii, indent, separators, sort_keys)}, which is what
 * transformers' {@code tojson} filter runs (its defaults: non-ASCII kept, no indent, {@code ", "}
 * and {@code ": "} separators, keys in insertion order).
 */
final class JsonDump {
  private final boolean ensureAscii;
  private final String indent;
  private final String itemSeparator;
  private final String keySeparator;
  private final boolean sortKeys;
  private final int line;

  JsonDump(
      boolean ensureAscii,
      String indent,
      String itemSeparator,
      String keySeparator,
      boolean sortKeys,
      int line) {
    this.ensureAscii = ensureAscii;
    this.indent = indent;
    this.itemSeparator = itemSeparator != null ? itemSeparator : indent == null ? ", " : ",";
    this.keySeparator = keySeparator != null ? keySeparator : ": ";
    this.sortKeys = sortKeys;
    this.line = line;
  }

  String dump(Object value) {
    StringBuilder out = new StringBuilder();
    write(out, value, 0);
    return out.toString();
  }

  private void write(StringBuilder out, Object value, int level) {
    switch (value) {
      case null -> out.append("null");
      case Boolean b -> out.append(b ? "true" : "false");
      case Long l -> out.append(l);
      case Double d -> out.append(number(d));
      case String s -> string(out, s);
      case List<?> list -> array(out, list, level);
      case PyTuple tuple -> array(out, tuple.items(), level);
      case Map<?, ?> map -> object(out, map, level);
      default ->
          throw new TemplateException(
              "Object of type " + Py.typeName(value) + " is not JSON serializable", line);
    }
  }

  private static String number(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    return PyFormat.floatRepr(d);
  }

  private void array(StringBuilder out, List<?> items, int level) {
    if (items.isEmpty()) {
      out.append("[]");
      return;
    }
    out.append('[');
    for (int i = 0; i < items.size(); i++) {
      out.append(i == 0 ? newline(level + 1) : itemSeparator + newline(level + 1));
      write(out, items.get(i), level + 1);
    }
    out.append(newline(level)).append(']');
  }

  private void object(StringBuilder out, Map<?, ?> map, int level) {
    if (map.isEmpty()) {
      out.append("{}");
      return;
    }
    List<Map.Entry<?, ?>> entries = new ArrayList<>(map.entrySet());
    if (sortKeys) {
      entries.sort((a, b) -> Py.compare(a.getKey(), b.getKey(), "<", line));
    }
    out.append('{');
    for (int i = 0; i < entries.size(); i++) {
      out.append(i == 0 ? newline(level + 1) : itemSeparator + newline(level + 1));
      string(out, key(entries.get(i).getKey()));
      out.append(keySeparator);
      write(out, entries.get(i).getValue(), level + 1);
    }
    out.append(newline(level)).append('}');
  }

  private String key(Object key) {
    return switch (key) {
      case String s -> s;
      case null -> "null";
      case Boolean b -> b ? "true" : "false";
      case Long l -> l.toString();
      case Double d -> number(d);
      default ->
          throw new TemplateException(
              "keys must be str, int, float, bool or None, not " + Py.typeName(key), line);
    };
  }

  private String newline(int level) {
    return indent == null ? "" : "\n" + indent.repeat(level);
  }

  private void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || (ensureAscii && c > 0x7e)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
