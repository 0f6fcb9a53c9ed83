package ai.llep.trainer.tracking;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The {@code meta.yaml} files of MLflow's file store: flat mappings of scalars, written as PyYAML's
 * {@code safe_dump(default_flow_style=False)} writes them (keys sorted, strings plain where YAML
 * reads them back as the same string and quoted otherwise), and read back leniently (plain, quoted
 * and folded scalars).
 */
final class MetaYaml {
  private static final Pattern PLAIN_CANDIDATE = Pattern.compile("[A-Za-z0-9_/.][\\w./:+@%~ -]*");
  // YAML 1.1 implicit types PyYAML resolves; a string that looks like one of them must be quoted.
  private static final Pattern IMPLICIT_INT =
      Pattern.compile(
          "[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+"
              + "|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+");
  private static final Pattern IMPLICIT_FLOAT =
      Pattern.compile(
          "[-+]?[0-9][0-9_]*\\.[0-9_]*(?:[eE][-+][0-9]+)?|\\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
              + "|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*|[-+]?\\.(?:inf|Inf|INF)"
              + "|\\.(?:nan|NaN|NAN)");
  private static final Pattern IMPLICIT_TIMESTAMP = Pattern.compile("[0-9]{4}-[0-9]{1,2}-.*");
  private static final Set<String> IMPLICIT_WORDS =
      Set.of(
          "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
          "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~");

  private MetaYaml() {}

  /**
   * Renders a mapping; values are {@code null}, numbers, strings or empty lists. Keys are sorted.
   */
  static String render(Map<String, ?> values) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, ?> entry : new TreeMap<>(values).entrySet()) {
      out.append(entry.getKey()).append(": ").append(scalar(entry.getValue())).append('\n');
    }
    return out.toString();
  }

  private static String scalar(Object value) {
    return switch (value) {
      case null -> "null";
      case Integer i -> i.toString();
      case Long l -> l.toString();
      case String s -> string(s);
      case List<?> list when list.isEmpty() -> "[]";
      default -> throw new IllegalArgumentException("no YAML form for " + value);
    };
  }

  static String string(String s) {
    if (isPlain(s)) {
      return s;
    }
    if (s.chars().allMatch(c -> c >= 0x20 && c < 0x7f || c > 0xa0 && c != 0xfeff)) {
      return "'" + s.replace("'", "''") + "'";
    }
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20 || c >= 0x7f && c <= 0xa0 || c == 0xfeff) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static boolean isPlain(String s) {
    return PLAIN_CANDIDATE.matcher(s).matches()
        && !s.endsWith(" ")
        && !s.endsWith(":")
        && !s.contains(": ")
        && !s.contains(" #")
        && !IMPLICIT_WORDS.contains(s)
        && !IMPLICIT_INT.matcher(s).matches()
        && !IMPLICIT_FLOAT.matcher(s).matches()
        && !IMPLICIT_TIMESTAMP.matcher(s).matches();
  }

  /**
   * Reads the top-level {@code key: scalar} pairs of a meta.yaml. A {@code null} or {@code ~} value
   * reads as Java {@code null}; indented lines continue the previous value.
   */
  static Map<String, String> parse(String text) {
    Map<String, StringBuilder> raw = new HashMap<>();
    List<String> order = new ArrayList<>();
    String current = null;
    for (String line : text.split("\n", -1)) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (Character.isWhitespace(line.charAt(0)) && current != null) {
        raw.get(current).append(' ').append(line.strip());
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("not a 'key: value' line: " + line);
      }
      current = line.substring(0, colon).strip();
      raw.put(current, new StringBuilder(line.substring(colon + 1).strip()));
      order.add(current);
    }
    Map<String, String> values = new HashMap<>();
    for (String key : order) {
      values.put(key, unquote(raw.get(key).toString()));
    }
    return values;
  }

  private static String unquote(String value) {
    if (value.isEmpty() || value.equals("null") || value.equals("~")) {
      return null;
    }
    if (value.length() >= 2 && value.startsWith("'") && value.endsWith("'")) {
      return value.substring(1, value.length() - 1).replace("''", "'");
    }
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      return unescape(value.substring(1, value.length() - 1));
    }
    return value;
  }

  private static String unescape(String body) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 == body.length()) {
        out.append(c);
        continue;
      }
      char next = body.charAt(++i);
      switch (next) {
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'u' -> {
          out.append((char) Integer.parseInt(body.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> out.append(next);
      }
    }
    return out.toString();
  }
}
