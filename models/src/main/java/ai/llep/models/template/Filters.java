package ai.llep.models.template;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Jinja's built-in filters that chat templates use, with transformers' {@code tojson} (Python's
 * {@code json.dumps}, non-ASCII kept). Filters outside this set are rejected when the template is
 * parsed.
 */
final class Filters {
  private static final Set<String> NAMES =
      Set.of(
          "abs",
          "attr",
          "capitalize",
          "center",
          "count",
          "d",
          "default",
          "dictsort",
          "e",
          "escape",
          "first",
          "float",
          "indent",
          "int",
          "items",
          "join",
          "last",
          "length",
          "list",
          "lower",
          "map",
          "max",
          "min",
          "reject",
          "rejectattr",
          "replace",
          "reverse",
          "round",
          "safe",
          "select",
          "selectattr",
          "sort",
          "string",
          "sum",
          "title",
          "tojson",
          "trim",
          "unique",
          "upper",
          "wordcount");

  private Filters() {}

  static boolean supports(String name) {
    return NAMES.contains(name);
  }

  static Object apply(String name, Object value, Arguments args) {
    return switch (name) {
      case "abs" -> abs(value, args.accept());
      case "attr" -> Access.attribute(value, args.accept("name").string(0, "name"), args.line());
      case "capitalize" -> StrMethods.capitalize(text(value, args.accept()));
      case "center" -> center(text(value, args), args.accept("width").integer(0, "width", 80));
      case "count", "length" -> length(value, args.accept());
      case "d", "default" -> defaultValue(value, args.accept("default_value", "boolean"));
      case "e", "escape" -> escape(text(value, args.accept()));
      case "float" -> toFloat(value, args.accept("default").optional(0, "default", 0.0));
      case "indent" -> indent(text(value, args), args.accept("width", "first", "blank"));
      case "int" -> toInt(value, args.accept("default", "base"));
      case "items" -> items(value, args.accept());
      case "lower" -> text(value, args.accept()).toLowerCase(java.util.Locale.ROOT);
      case "upper" -> text(value, args.accept()).toUpperCase(java.util.Locale.ROOT);
      case "replace" -> replace(text(value, args), args.accept("old", "new", "count"));
      case "reverse" -> reverse(value, args.accept());
      case "round" -> round(value, args.accept("precision", "method"));
      case "safe" -> value instanceof Undefined ? "" : PyFormat.str(value, args.accept().line());
      case "string" -> text(value, args.accept());
      case "title" -> title(text(value, args.accept()));
      case "tojson" ->
          tojson(value, args.accept("ensure_ascii", "indent", "separators", "sort_keys"));
      case "trim" ->
          PyText.strip(text(value, args), args.accept("chars").optionalString(0, "chars"));
      case "wordcount" -> (long) PyText.split(text(value, args.accept()), null, -1).size();
      default -> SequenceFilters.apply(name, value, args);
    };
  }

  /** Jinja's {@code soft_str}: the text a value prints as. */
  static String text(Object value, Arguments args) {
    return PyFormat.str(value, args.line());
  }

  private static Object abs(Object value, Arguments args) {
    return switch (value) {
      case Long l -> Math.abs(l);
      case Double d -> Math.abs(d);
      case Boolean b -> b ? 1L : 0L;
      case null, default ->
          throw new TemplateException(
              "bad operand type for abs(): '" + Py.typeName(value) + "'", args.line());
    };
  }

  private static String center(String s, long width) {
    int length = PyText.length(s);
    if (width <= length) {
      return s;
    }
    long pad = width - length;
    long left = pad / 2 + (pad & width & 1);
    return " ".repeat((int) left) + s + " ".repeat((int) (pad - left));
  }

  static Object length(Object value, Arguments args) {
    return switch (value) {
      case String s -> (long) PyText.length(s);
      case List<?> l -> (long) l.size();
      case PyTuple t -> (long) t.items().size();
      case Map<?, ?> m -> (long) m.size();
      case DictView v -> (long) v.items().size();
      case Undefined u -> 0L;
      case null, default ->
          throw new TemplateException(
              "object of type '" + Py.typeName(value) + "' has no len()", args.line());
    };
  }

  private static Object defaultValue(Object value, Arguments args) {
    Object fallback = args.optional(0, "default_value", "");
    boolean ifFalse = Py.truthy(args.optional(1, "boolean", false));
    return value instanceof Undefined || (ifFalse && !Py.truthy(value)) ? fallback : value;
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&#34;")
        .replace("'", "&#39;");
  }

  private static Object toFloat(Object value, Object fallback) {
    return switch (value) {
      case Double d -> d;
      case Long l -> (double) l;
      case Boolean b -> b ? 1.0 : 0.0;
      case String s -> {
        Double parsed = parseFloat(s);
        yield parsed != null ? parsed : fallback;
      }
      case null, default -> fallback;
    };
  }

  private static Double parseFloat(String s) {
    String t = PyText.strip(s, null).replace("_", "").toLowerCase(java.util.Locale.ROOT);
    String unsigned = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }
    if (unsigned.equals("nan")) {
      return Double.NaN;
    }
    if (!unsigned.matches("(\\d+\\.?\\d*|\\.\\d+)(e[+-]?\\d+)?")) {
      return null;
    }
    return Double.parseDouble(t);
  }

  private static Object toInt(Object value, Arguments args) {
    Object fallback = args.optional(0, "default", 0L);
    long base = args.integer(1, "base", 10);
    switch (value) {
      case Long l -> {
        return l;
      }
      case Boolean b -> {
        return b ? 1L : 0L;
      }
      case Double d -> {
        return Double.isFinite(d) ? (long) (double) d : fallback;
      }
      case String s -> {
        String t = PyText.strip(s, null).replace("_", "").toLowerCase(java.util.Locale.ROOT);
        boolean negative = t.startsWith("-");
        String digits = t.startsWith("+") || negative ? t.substring(1) : t;
        for (String[] prefix : new String[][] {{"0x", "16"}, {"0o", "8"}, {"0b", "2"}}) {
          int radix = Integer.parseInt(prefix[1]);
          if (digits.startsWith(prefix[0]) && (base == radix || base == 0)) {
            digits = digits.substring(2);
            base = radix;
          }
        }
        try {
          long parsed = Long.parseLong(digits, base == 0 ? 10 : (int) base);
          return negative ? -parsed : parsed;
        } catch (NumberFormatException e) {
          Double d = parseFloat(s);
          return d != null && Double.isFinite(d) ? (long) (double) d : fallback;
        }
      }
      case null, default -> {
        return fallback;
      }
    }
  }

  private static Object items(Object value, Arguments args) {
    if (value instanceof Undefined) {
      return new DictView("items", List.of());
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new TemplateException("Can only get item pairs from a mapping.", args.line());
    }
    List<Object> pairs = new java.util.ArrayList<>();
    map.forEach((k, v) -> pairs.add(PyTuple.of(k, v)));
    return new DictView("items", pairs);
  }

  private static String indent(String s, Arguments args) {
    Object width = args.optional(0, "width", 4L);
    String pad = width instanceof String w ? w : " ".repeat((int) Py.asLong(width));
    boolean first = Py.truthy(args.optional(1, "first", false));
    boolean blank = Py.truthy(args.optional(2, "blank", false));
    String text = s + "\n";
    List<Object> lines = PyText.split(text, "\n", -1);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < lines.size() - 1; i++) {
      String line = (String) lines.get(i);
      if (i > 0) {
        out.append('\n');
      }
      boolean indentThis = (i > 0 || first) && (blank || !line.isEmpty());
      out.append(indentThis ? pad : "").append(line);
    }
    return out.toString();
  }

  private static Object replace(String s, Arguments args) {
    return StrMethods.call(
        s, "replace", new Arguments(args.positional(), args.keywords(), "replace", args.line()));
  }

  private static Object reverse(Object value, Arguments args) {
    if (value instanceof String s) {
      return new StringBuilder(s).reverse().toString();
    }
    List<Object> items = new java.util.ArrayList<>(Operators.iterate(value, args.line()));
    java.util.Collections.reverse(items);
    return items;
  }

  private static Object round(Object value, Arguments args) {
    long precision = args.integer(0, "precision", 0);
    Object method = args.optional(1, "method", "common");
    if (value instanceof Long && String.valueOf(method).equals("common") && precision >= 0) {
      return value;
    }
    double d = Py.asDouble(value);
    RoundingMode mode =
        switch (String.valueOf(method)) {
          case "common" -> RoundingMode.HALF_EVEN;
          case "ceil" -> RoundingMode.CEILING;
          case "floor" -> RoundingMode.FLOOR;
          default ->
              throw new TemplateException("method must be common, ceil or floor", args.line());
        };
    return new BigDecimal(d).setScale((int) precision, mode).doubleValue();
  }

  /** Jinja's {@code title}: each run of separators and of other text gets an upper first char. */
  private static String title(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      boolean separator = separator(s.codePointAt(i));
      int j = i;
      while (j < s.length() && separator(s.codePointAt(j)) == separator) {
        j += Character.charCount(s.codePointAt(j));
      }
      String part = s.substring(i, j);
      int first = Character.charCount(part.codePointAt(0));
      out.append(part.substring(0, first).toUpperCase(java.util.Locale.ROOT))
          .append(part.substring(first).toLowerCase(java.util.Locale.ROOT));
      i = j;
    }
    return out.toString();
  }

  private static boolean separator(int c) {
    return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || PyText.isSpace(c);
  }

  private static Object tojson(Object value, Arguments args) {
    boolean ascii = Py.truthy(args.optional(0, "ensure_ascii", false));
    Object indent = args.optional(1, "indent", null);
    Object separators = args.optional(2, "separators", null);
    boolean sort = Py.truthy(args.optional(3, "sort_keys", false));
    String pad =
        switch (indent) {
          case null -> null;
          case String s -> s;
          default -> " ".repeat((int) Math.max(0, Py.asLong(indent)));
        };
    String item = null;
    String key = null;
    if (separators != null) {
      List<Object> pair = Operators.iterate(separators, args.line());
      item = (String) pair.get(0);
      key = (String) pair.get(1);
    }
    return new JsonDump(ascii, pad, item, key, sort, args.line()).dump(value);
  }
}
