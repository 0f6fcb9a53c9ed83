package ai.llep.models.template;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** Jinja's built-in tests ({@code x is defined}, {@code x is string}, ...), with Python's types. */
final class Tests {
  private static final Set<String> NAMES =
      Set.of(
          "defined",
          "undefined",
          "none",
          "boolean",
          "false",
          "true",
          "integer",
          "float",
          "number",
          "string",
          "mapping",
          "iterable",
          "sequence",
          "callable",
          "sameas",
          "odd",
          "even",
          "divisibleby",
          "in",
          "eq",
          "equalto",
          "==",
          "ne",
          "!=",
          "lt",
          "lessthan",
          "<",
          "le",
          "<=",
          "gt",
          "greaterthan",
          ">",
          "ge",
          ">=",
          "lower",
          "upper",
          "filter",
          "test");

  private Tests() {}

  static boolean supports(String name) {
    return NAMES.contains(name);
  }

  static boolean apply(String name, Object value, Arguments args) {
    int line = args.line();
    return switch (name) {
      case "defined" -> !(value instanceof Undefined);
      case "undefined" -> value instanceof Undefined;
      case "none" -> value == null;
      case "boolean" -> value instanceof Boolean;
      case "false" -> Boolean.FALSE.equals(value);
      case "true" -> Boolean.TRUE.equals(value);
      case "integer" -> value instanceof Long;
      case "float" -> value instanceof Double;
      case "number" -> Py.isNumber(value);
      case "string" -> value instanceof String;
      case "mapping" -> value instanceof Map;
      case "iterable" ->
          value instanceof List
              || value instanceof PyTuple
              || value instanceof Map
              || value instanceof String
              || value instanceof DictView
              || value instanceof LoopContext
              || value instanceof Undefined;
      case "sequence" ->
          value instanceof List
              || value instanceof PyTuple
              || value instanceof Map
              || value instanceof String
              || value instanceof Undefined;
      case "callable" -> value instanceof PyCallable || value instanceof Undefined;
      case "sameas" -> sameAs(value, args.required(0, "other"));
      case "odd", "even" -> {
        if (!Py.isIntegral(value)) {
          throw new TemplateException("odd/even need an integer, not " + Py.typeName(value), line);
        }
        yield (Math.floorMod(Py.asLong(value), 2) == 1) == name.equals("odd");
      }
      case "divisibleby" -> Py.eq(Operators.binary("%", value, args.required(0, "num"), line), 0L);
      case "in" -> Operators.contains(args.required(0, "seq"), value, line);
      case "eq", "equalto", "==" -> Py.eq(value, args.required(0, "other"));
      case "ne", "!=" -> !Py.eq(value, args.required(0, "other"));
      case "lt", "lessthan", "<" -> Py.compare(value, args.required(0, "other"), "<", line) < 0;
      case "le", "<=" -> Py.compare(value, args.required(0, "other"), "<=", line) <= 0;
      case "gt", "greaterthan", ">" -> Py.compare(value, args.required(0, "other"), ">", line) > 0;
      case "ge", ">=" -> Py.compare(value, args.required(0, "other"), ">=", line) >= 0;
      case "lower" -> (Boolean) StrMethods.call(PyFormat.str(value, line), "islower", noArgs(args));
      case "upper" -> (Boolean) StrMethods.call(PyFormat.str(value, line), "isupper", noArgs(args));
      case "filter" -> value instanceof String s && Filters.supports(s);
      case "test" -> value instanceof String s && supports(s);
      default -> throw new UnsupportedConstructException("test '" + name + "'", line);
    };
  }

  private static Arguments noArgs(Arguments args) {
    return new Arguments(List.of(), Map.of(), args.function(), args.line());
  }

  /** Python's {@code is}: singletons and small integers are shared, other values by identity. */
  private static boolean sameAs(Object a, Object b) {
    if (a == null || b == null || a instanceof Boolean || b instanceof Boolean) {
      return a == null ? b == null : a.equals(b);
    }
    if (a instanceof Long x && b instanceof Long y) {
      return x.equals(y) && x >= -5 && x <= 256;
    }
    return a == b;
  }
}
