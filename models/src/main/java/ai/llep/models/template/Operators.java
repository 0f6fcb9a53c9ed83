package ai.llep.models.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Python's arithmetic and {@code in} for template values. */
final class Operators {
  private Operators() {}

  static Object binary(String op, Object a, Object b, int line) {
    if (a instanceof Undefined u) {
      throw u.error(line);
    }
    if (b instanceof Undefined u) {
      throw u.error(line);
    }
    if (Py.isNumber(a) && Py.isNumber(b)) {
      return Py.isIntegral(a) && Py.isIntegral(b)
          ? integer(op, Py.asLong(a), Py.asLong(b), line)
          : real(op, Py.asDouble(a), Py.asDouble(b), line);
    }
    Object result =
        switch (op) {
          case "+" -> concatenate(a, b);
          case "*" -> repeat(a, b) != null ? repeat(a, b) : repeat(b, a);
          case "%" -> {
            if (a instanceof String) {
              throw new UnsupportedConstructException("printf-style formatting with %", line);
            }
            yield null;
          }
          default -> null;
        };
    if (result == null) {
      throw new TemplateException(
          "unsupported operand type(s) for "
              + op
              + ": '"
              + Py.typeName(a)
              + "' and '"
              + Py.typeName(b)
              + "'",
          line);
    }
    return result;
  }

  private static Object concatenate(Object a, Object b) {
    if (a instanceof String sa && b instanceof String sb) {
      return sa + sb;
    }
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      List<Object> out = new ArrayList<>(la);
      out.addAll(lb);
      return out;
    }
    if (a instanceof PyTuple ta && b instanceof PyTuple tb) {
      List<Object> out = new ArrayList<>(ta.items());
      out.addAll(tb.items());
      return new PyTuple(out);
    }
    return null;
  }

  private static Object repeat(Object sequence, Object times) {
    if (!Py.isIntegral(times)) {
      return null;
    }
    int n = (int) Math.max(0, Py.asLong(times));
    if (sequence instanceof String s) {
      return s.repeat(n);
    }
    if (sequence instanceof List<?> list) {
      List<Object> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.addAll(list);
      }
      return out;
    }
    return null;
  }

  private static Object integer(String op, long a, long b, int line) {
    try {
      return switch (op) {
        case "+" -> Math.addExact(a, b);
        case "-" -> Math.subtractExact(a, b);
        case "*" -> Math.multiplyExact(a, b);
        case "/" -> real(op, a, b, line);
        case "//" -> Math.floorDiv(a, nonZero(b, line));
        case "%" -> Math.floorMod(a, nonZero(b, line));
        case "**" -> {
          if (b < 0) {
            yield Math.pow(a, b);
          }
          yield power(a, b);
        }
        default -> throw new IllegalStateException(op);
      };
    } catch (ArithmeticException e) {
      throw new UnsupportedConstructException("integers beyond 64 bits", line);
    }
  }

  private static long nonZero(long b, int line) {
    if (b == 0) {
      throw new TemplateException("integer division or modulo by zero", line);
    }
    return b;
  }

  private static long power(long base, long exponent) {
    long result = 1;
    for (long i = 0; i < exponent; i++) {
      result = Math.multiplyExact(result, base);
    }
    return result;
  }

  private static Object real(String op, double a, double b, int line) {
    if (b == 0 && (op.equals("/") || op.equals("//") || op.equals("%"))) {
      throw new TemplateException("float division by zero", line);
    }
    return switch (op) {
      case "+" -> a + b;
      case "-" -> a - b;
      case "*" -> a * b;
      case "/" -> a / b;
      case "//" -> Math.floor(a / b);
      case "%" -> {
        double r = a % b;
        yield r != 0 && (r < 0) != (b < 0) ? r + b : r;
      }
      case "**" -> Math.pow(a, b);
      default -> throw new IllegalStateException(op);
    };
  }

  static Object negate(Object value, boolean minus, int line) {
    return switch (value) {
      case Undefined u -> throw u.error(line);
      case Double d -> minus ? -d : d;
      case Long l -> minus ? Math.negateExact(l) : l;
      case Boolean b -> (minus ? -1L : 1L) * (b ? 1 : 0);
      case null, default ->
          throw new TemplateException(
              "bad operand type for unary "
                  + (minus ? "-" : "+")
                  + ": '"
                  + Py.typeName(value)
                  + "'",
              line);
    };
  }

  /** Python's {@code item in container}. */
  static boolean contains(Object container, Object item, int line) {
    return switch (container) {
      case String s -> {
        if (!(item instanceof String sub)) {
          throw new TemplateException(
              "'in <string>' requires string as left operand, not " + Py.typeName(item), line);
        }
        yield s.contains(sub);
      }
      case List<?> list -> list.stream().anyMatch(x -> Py.eq(x, item));
      case PyTuple tuple -> tuple.items().stream().anyMatch(x -> Py.eq(x, item));
      case DictView view -> view.items().stream().anyMatch(x -> Py.eq(x, item));
      case Map<?, ?> map -> Py.findKey(map, item) != Py.NO_KEY;
      case Undefined u -> false;
      case null, default ->
          throw new TemplateException(
              "argument of type '" + Py.typeName(container) + "' is not iterable", line);
    };
  }

  /** The items a for loop or filter walks: list items, string characters, dict keys. */
  static List<Object> iterate(Object value, int line) {
    return switch (value) {
      case List<?> list -> new ArrayList<>(list);
      case PyTuple tuple -> tuple.items();
      case DictView view -> view.items();
      case Map<?, ?> map -> new ArrayList<>(map.keySet());
      case String s -> Access.codePoints(s);
      case Undefined u -> List.of();
      case null, default ->
          throw new TemplateException("'" + Py.typeName(value) + "' object is not iterable", line);
    };
  }
}
