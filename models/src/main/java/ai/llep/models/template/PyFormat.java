package ai.llep.models.template;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Python's {@code str()} and {@code repr()}, which is what printing a value writes. */
final class PyFormat {
  private PyFormat() {}

  /** What {@code {{ value }}} writes. */
  static String str(Object value, int line) {
    return switch (value) {
      case String s -> s;
      case Undefined u -> "";
      case PyCallable c ->
          throw new TemplateException("printing a function or method has no stable text", line);
      case null, default -> repr(value);
    };
  }

  static String repr(Object value) {
    return switch (value) {
      case null -> "None";
      case Boolean b -> b ? "True" : "False";
      case Long l -> l.toString();
      case Double d -> floatRepr(d);
      case String s -> stringRepr(s);
      case List<?> list -> items("[", list, "]");
      case PyTuple tuple ->
          tuple.items().size() == 1
              ? "(" + repr(tuple.items().getFirst()) + ",)"
              : items("(", tuple.items(), ")");
      case Map<?, ?> map -> mapRepr(map);
      case DictView view -> "dict_" + view.kind() + "(" + items("[", view.items(), "]") + ")";
      case Undefined u -> "Undefined";
      case Namespace ns -> "<Namespace " + mapRepr(ns.attributes) + ">";
      default -> value.toString();
    };
  }

  private static String items(String open, List<?> items, String close) {
    StringJoiner joiner = new StringJoiner(", ", open, close);
    for (Object item : items) {
      joiner.add(repr(item));
    }
    return joiner.toString();
  }

  private static String mapRepr(Map<?, ?> map) {
    StringJoiner joiner = new StringJoiner(", ", "{", "}");
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      joiner.add(repr(entry.getKey()) + ": " + repr(entry.getValue()));
    }
    return joiner.toString();
  }

  /** Python's {@code repr(float)}: shortest round-trip digits, exponent below 1e-4 or from 1e16. */
  static String floatRepr(double d) {
    if (Double.isNaN(d)) {
      return "nan";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "inf" : "-inf";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0.0" : "0.0";
    }
    String sign = d < 0 ? "-" : "";
    BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    // Java keeps two digits where one would do (4.9E-324); Python takes the shortest (5e-324).
    BigDecimal one = exact.round(new java.math.MathContext(1, java.math.RoundingMode.HALF_EVEN));
    if (exact.precision() == 2 && one.doubleValue() == Math.abs(d)) {
      exact = one.stripTrailingZeros();
    }
    String digits = exact.unscaledValue().toString();
    int point = digits.length() - exact.scale();
    if (point <= -4 || point > 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      int exponent = point - 1;
      return sign
          + mantissa
          + "e"
          + (exponent < 0 ? "-" : "+")
          + (Math.abs(exponent) < 10 ? "0" : "")
          + Math.abs(exponent);
    }
    if (point <= 0) {
      return sign + "0." + "0".repeat(-point) + digits;
    }
    if (point >= digits.length()) {
      return sign + digits + "0".repeat(point - digits.length()) + ".0";
    }
    return sign + digits.substring(0, point) + "." + digits.substring(point);
  }

  static String stringRepr(String s) {
    char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
    StringBuilder out = new StringBuilder(s.length() + 2).append(quote);
    s.codePoints()
        .forEach(
            c -> {
              if (c == quote || c == '\\') {
                out.append('\\').appendCodePoint(c);
              } else if (c == '\t') {
                out.append("\\t");
              } else if (c == '\n') {
                out.append("\\n");
              } else if (c == '\r') {
                out.append("\\r");
              } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && !printable(c))) {
                out.append(
                    c <= 0xff
                        ? String.format("\\x%02x", c)
                        : c <= 0xffff ? String.format("\\u%04x", c) : String.format("\\U%08x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append(quote).toString();
  }

  private static boolean printable(int c) {
    return switch (Character.getType(c)) {
      case Character.CONTROL,
          Character.FORMAT,
          Character.SURROGATE,
          Character.PRIVATE_USE,
          Character.UNASSIGNED,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SPACE_SEPARATOR ->
          false;
      default -> true;
    };
  }
}
