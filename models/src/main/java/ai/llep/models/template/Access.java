package ai.llep.models.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code obj.name}, {@code obj[key]} and slices, with Jinja's rules: an attribute is looked up as a
 * Python attribute first (so {@code message.items} is the dict method) and then as an item; an item
 * as an item first and then, for a string key, as an attribute; a miss is undefined; using an
 * undefined value as an object is an error.
 */
final class Access {
  private Access() {}

  static Object attribute(Object target, String name, int line) {
    if (name.startsWith("__")) {
      throw new UnsupportedConstructException("the special attribute '" + name + "'", line);
    }
    Object method = Methods.bind(target, name, line);
    if (method != null) {
      return method;
    }
    return switch (target) {
      case Undefined u -> throw u.error(line);
      case Map<?, ?> map -> {
        Object key = Py.findKey(map, name);
        yield key == Py.NO_KEY ? Undefined.attribute(target, name) : map.get(key);
      }
      case Namespace ns ->
          ns.attributes.containsKey(name)
              ? ns.attributes.get(name)
              : Undefined.attribute(target, name);
      case LoopContext loop -> loop.attribute(name, line);
      case null, default -> Undefined.attribute(target, name);
    };
  }

  static Object item(Object target, Object key, int line) {
    if (target instanceof Undefined u) {
      throw u.error(line);
    }
    Object found =
        switch (target) {
          case Map<?, ?> map -> {
            Object k = Py.findKey(map, key);
            yield k == Py.NO_KEY ? Py.NO_KEY : map.get(k);
          }
          case List<?> list -> index(list, key);
          case PyTuple tuple -> index(tuple.items(), key);
          case String s when Py.isIntegral(key) -> {
            List<Object> chars = codePoints(s);
            yield index(chars, key);
          }
          case null, default -> Py.NO_KEY;
        };
    if (found != Py.NO_KEY) {
      return found;
    }
    if (key instanceof String name) {
      return attribute(target, name, line);
    }
    return new Undefined(PyFormat.repr(key) + " is not an item of this " + Py.typeName(target));
  }

  private static Object index(List<?> list, Object key) {
    if (!Py.isIntegral(key)) {
      return Py.NO_KEY;
    }
    long i = Py.asLong(key);
    if (i < 0) {
      i += list.size();
    }
    return i >= 0 && i < list.size() ? list.get((int) i) : Py.NO_KEY;
  }

  static List<Object> codePoints(String s) {
    List<Object> chars = new ArrayList<>(s.length());
    s.codePoints().forEach(c -> chars.add(Character.toString(c)));
    return chars;
  }

  /** {@code target[start:stop:step]} with Python's index rules. */
  static Object slice(Object target, Object start, Object stop, Object step, int line) {
    if (target instanceof Undefined u) {
      throw u.error(line);
    }
    List<?> items =
        switch (target) {
          case List<?> list -> list;
          case PyTuple tuple -> tuple.items();
          case String s -> codePoints(s);
          case null, default -> null;
        };
    if (items == null || !sliceIndex(start) || !sliceIndex(stop) || !sliceIndex(step)) {
      return new Undefined("this " + Py.typeName(target) + " cannot be sliced so");
    }
    List<Object> out = new ArrayList<>();
    for (int i : indices(items.size(), start, stop, step, line)) {
      out.add(items.get(i));
    }
    return switch (target) {
      case String s -> String.join("", out.stream().map(String.class::cast).toList());
      case PyTuple t -> new PyTuple(out);
      default -> out;
    };
  }

  private static boolean sliceIndex(Object value) {
    return value == null || Py.isIntegral(value);
  }

  private static List<Integer> indices(
      int length, Object start, Object stop, Object step, int line) {
    long by = step == null ? 1 : Py.asLong(step);
    if (by == 0) {
      throw new TemplateException("slice step cannot be zero", line);
    }
    long lower = by > 0 ? 0 : -1;
    long upper = by > 0 ? length : length - 1;
    long from = bound(start, by < 0 ? upper : lower, length, lower, upper);
    long to = bound(stop, by < 0 ? lower : upper, length, lower, upper);
    List<Integer> out = new ArrayList<>();
    for (long i = from; by > 0 ? i < to : i > to; i += by) {
      out.add((int) i);
    }
    return out;
  }

  private static long bound(Object index, long fallback, int length, long lower, long upper) {
    if (index == null) {
      return fallback;
    }
    long i = Py.asLong(index);
    if (i < 0) {
      i += length;
      return Math.max(i, lower);
    }
    return Math.min(i, upper);
  }
}
