package ai.llep.models.template;

import java.util.List;
import java.util.Map;

/** Python's value semantics for the types templates see: truth, equality, ordering, type names. */
final class Py {
  private Py() {}

  static boolean truthy(Object value) {
    return switch (value) {
      case null -> false;
      case Boolean b -> b;
      case Long l -> l != 0;
      case Double d -> d != 0.0;
      case String s -> !s.isEmpty();
      case List<?> list -> !list.isEmpty();
      case PyTuple tuple -> !tuple.items().isEmpty();
      case Map<?, ?> map -> !map.isEmpty();
      case DictView view -> !view.items().isEmpty();
      case Undefined u -> false;
      default -> true;
    };
  }

  static boolean isNumber(Object value) {
    return value instanceof Long || value instanceof Double || value instanceof Boolean;
  }

  /** An int or bool as a long (Python's bool is an int). */
  static boolean isIntegral(Object value) {
    return value instanceof Long || value instanceof Boolean;
  }

  static long asLong(Object value) {
    return value instanceof Boolean b ? (b ? 1 : 0) : (Long) value;
  }

  static double asDouble(Object value) {
    return value instanceof Double d ? d : asLong(value);
  }

  static boolean eq(Object a, Object b) {
    if (a == b) {
      return true;
    }
    if (a == null || b == null) {
      return false;
    }
    if (isNumber(a) && isNumber(b)) {
      return isIntegral(a) && isIntegral(b) ? asLong(a) == asLong(b) : asDouble(a) == asDouble(b);
    }
    return switch (a) {
      case String s -> s.equals(b);
      case List<?> la -> b instanceof List<?> lb && sameItems(la, lb);
      case PyTuple ta -> b instanceof PyTuple tb && sameItems(ta.items(), tb.items());
      case Map<?, ?> ma -> b instanceof Map<?, ?> mb && sameEntries(ma, mb);
      case Undefined u -> b instanceof Undefined;
      default -> a.equals(b);
    };
  }

  private static boolean sameItems(List<?> a, List<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (!eq(a.get(i), b.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameEntries(Map<?, ?> a, Map<?, ?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (Map.Entry<?, ?> entry : a.entrySet()) {
      Object key = findKey(b, entry.getKey());
      if (key == NO_KEY || !eq(entry.getValue(), b.get(key))) {
        return false;
      }
    }
    return true;
  }

  static final Object NO_KEY = new Object();

  /** The key of {@code map} equal to {@code key} in Python's sense, or {@link #NO_KEY}. */
  static Object findKey(Map<?, ?> map, Object key) {
    if (map.containsKey(key)) {
      return key;
    }
    if (isNumber(key)) {
      for (Object candidate : map.keySet()) {
        if (eq(candidate, key)) {
          return candidate;
        }
      }
    }
    return NO_KEY;
  }

  /** Python's ordering ({@code <} etc.); a type error for types Python cannot order. */
  static int compare(Object a, Object b, String op, int line) {
    if (isNumber(a) && isNumber(b)) {
      return isIntegral(a) && isIntegral(b)
          ? Long.compare(asLong(a), asLong(b))
          : Double.compare(asDouble(a), asDouble(b));
    }
    if (a instanceof String sa && b instanceof String sb) {
      return compareCodePoints(sa, sb);
    }
    if (a instanceof List<?> la && b instanceof List<?> lb) {
      return compareItems(la, lb, op, line);
    }
    if (a instanceof PyTuple ta && b instanceof PyTuple tb) {
      return compareItems(ta.items(), tb.items(), op, line);
    }
    if (a instanceof Undefined u) {
      throw u.error(line);
    }
    if (b instanceof Undefined u) {
      throw u.error(line);
    }
    throw new TemplateException(
        "'"
            + op
            + "' not supported between instances of '"
            + typeName(a)
            + "' and '"
            + typeName(b)
            + "'",
        line);
  }

  private static int compareItems(List<?> a, List<?> b, String op, int line) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!eq(a.get(i), b.get(i))) {
        return compare(a.get(i), b.get(i), op, line);
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  static int compareCodePoints(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Boolean.compare(i < a.length(), j < b.length());
  }

  static String typeName(Object value) {
    return switch (value) {
      case null -> "NoneType";
      case Boolean b -> "bool";
      case Long l -> "int";
      case Double d -> "float";
      case String s -> "str";
      case List<?> l -> "list";
      case PyTuple t -> "tuple";
      case Map<?, ?> m -> "dict";
      case Undefined u -> "Undefined";
      case Namespace n -> "Namespace";
      case LoopContext l -> "LoopContext";
      case PyCallable c -> "function";
      default -> value.getClass().getSimpleName();
    };
  }
}
