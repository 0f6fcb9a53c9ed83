package ai.llep.models.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The methods templates call on strings, dicts and lists ({@code content.split('x')}, {@code
 * message.items()}), as bound callables. A Python method this interpreter lacks is an error, not an
 * undefined value; methods that change a dict or list are errors too, as in transformers' immutable
 * sandbox.
 */
final class Methods {
  private static final Set<String> STR =
      Set.of(
          "capitalize",
          "casefold",
          "center",
          "count",
          "encode",
          "endswith",
          "expandtabs",
          "find",
          "format",
          "format_map",
          "index",
          "isalnum",
          "isalpha",
          "isascii",
          "isdecimal",
          "isdigit",
          "isidentifier",
          "islower",
          "isnumeric",
          "isprintable",
          "isspace",
          "istitle",
          "isupper",
          "join",
          "ljust",
          "lower",
          "lstrip",
          "maketrans",
          "partition",
          "removeprefix",
          "removesuffix",
          "replace",
          "rfind",
          "rindex",
          "rjust",
          "rpartition",
          "rsplit",
          "rstrip",
          "split",
          "splitlines",
          "startswith",
          "strip",
          "swapcase",
          "title",
          "translate",
          "upper",
          "zfill");
  private static final Set<String> DICT =
      Set.of(
          "clear",
          "copy",
          "fromkeys",
          "get",
          "items",
          "keys",
          "pop",
          "popitem",
          "setdefault",
          "update",
          "values");
  private static final Set<String> LIST =
      Set.of(
          "append", "clear", "copy", "count", "extend", "index", "insert", "pop", "remove",
          "reverse", "sort");

  private Methods() {}

  /** The method {@code name} of {@code self}, or null when {@code self} has no such method. */
  static PyCallable bind(Object self, String name, int line) {
    if (self instanceof String s && STR.contains(name)) {
      return (args, kwargs, at) -> StrMethods.call(s, name, new Arguments(args, kwargs, name, at));
    }
    if (self instanceof Map<?, ?> map && DICT.contains(name)) {
      return (args, kwargs, at) -> dict(map, name, new Arguments(args, kwargs, name, at));
    }
    if ((self instanceof List<?> || self instanceof PyTuple) && LIST.contains(name)) {
      List<?> items = self instanceof PyTuple t ? t.items() : (List<?>) self;
      if (self instanceof PyTuple && !name.equals("count") && !name.equals("index")) {
        return null;
      }
      return (args, kwargs, at) -> list(items, name, new Arguments(args, kwargs, name, at));
    }
    return null;
  }

  private static Object dict(Map<?, ?> map, String name, Arguments args) {
    return switch (name) {
      case "items" -> {
        args.none();
        List<Object> items = new ArrayList<>();
        map.forEach((k, v) -> items.add(PyTuple.of(k, v)));
        yield new DictView("items", items);
      }
      case "keys" -> {
        args.none();
        yield new DictView("keys", new ArrayList<>(map.keySet()));
      }
      case "values" -> {
        args.none();
        yield new DictView("values", new ArrayList<>(map.values()));
      }
      case "get" -> {
        Object key = Py.findKey(map, args.required(0, "key"));
        yield key == Py.NO_KEY ? args.optional(1, "default", null) : map.get(key);
      }
      case "copy" -> {
        args.none();
        yield new java.util.LinkedHashMap<>(map);
      }
      default -> throw immutable("dict", name, args.line());
    };
  }

  private static Object list(List<?> items, String name, Arguments args) {
    return switch (name) {
      case "count" -> items.stream().filter(x -> Py.eq(x, args.required(0, "value"))).count();
      case "index" -> {
        Object value = args.required(0, "value");
        for (int i = 0; i < items.size(); i++) {
          if (Py.eq(items.get(i), value)) {
            yield (long) i;
          }
        }
        throw new TemplateException(PyFormat.repr(value) + " is not in list", args.line());
      }
      case "copy" -> new ArrayList<>(items);
      default -> throw immutable("list", name, args.line());
    };
  }

  private static TemplateException immutable(String type, String name, int line) {
    return new UnsupportedConstructException(
        type + "." + name + "() (templates render in an immutable sandbox)", line);
  }
}
