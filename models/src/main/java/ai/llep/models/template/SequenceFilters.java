package ai.llep.models.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Filters over sequences: selecting, mapping, sorting, joining, first and last items. */
final class SequenceFilters {
  private SequenceFilters() {}

  static Object apply(String name, Object value, Arguments args) {
    int line = args.line();
    return switch (name) {
      case "first" -> {
        args.none();
        List<Object> items = Operators.iterate(value, line);
        yield items.isEmpty()
            ? new Undefined("No first item, sequence was empty.")
            : items.getFirst();
      }
      case "last" -> {
        args.none();
        List<Object> items = Operators.iterate(value, line);
        yield items.isEmpty()
            ? new Undefined("No last item, sequence was empty.")
            : items.getLast();
      }
      case "list" -> {
        args.none();
        yield new ArrayList<>(Operators.iterate(value, line));
      }
      case "join" -> join(value, args.accept("d", "attribute"));
      case "map" -> map(value, args);
      case "select", "reject" -> select(value, args, name.equals("select"), false);
      case "selectattr", "rejectattr" -> select(value, args, name.equals("selectattr"), true);
      case "sort" -> sort(value, args.accept("reverse", "case_sensitive", "attribute"));
      case "dictsort" -> dictsort(value, args.accept("case_sensitive", "by", "reverse"));
      case "unique" -> unique(value, args.accept("case_sensitive", "attribute"));
      case "min", "max" ->
          extreme(value, args.accept("case_sensitive", "attribute"), name.equals("max"));
      case "sum" -> sum(value, args.accept("attribute", "start"));
      default -> throw new UnsupportedConstructException("filter '" + name + "'", line);
    };
  }

  /** Jinja's attribute getter: a dotted path, digit parts as indices, each part as an item. */
  static Object attribute(Object item, Object path, int line) {
    if (!(path instanceof String dotted)) {
      return Access.item(item, path, line);
    }
    Object value = item;
    for (String part : dotted.split("\\.", -1)) {
      Object key =
          part.chars().allMatch(Character::isDigit) && !part.isEmpty()
              ? (Object) Long.parseLong(part)
              : part;
      value = Access.item(value, key, line);
    }
    return value;
  }

  private static Object join(Object value, Arguments args) {
    String separator = PyFormat.str(args.optional(0, "d", ""), args.line());
    Object attribute = args.optional(1, "attribute", null);
    StringBuilder out = new StringBuilder();
    List<Object> items = Operators.iterate(value, args.line());
    for (int i = 0; i < items.size(); i++) {
      Object item =
          attribute == null ? items.get(i) : attribute(items.get(i), attribute, args.line());
      out.append(i > 0 ? separator : "").append(PyFormat.str(item, args.line()));
    }
    return out.toString();
  }

  private static Object map(Object value, Arguments args) {
    List<Object> out = new ArrayList<>();
    List<Object> items = Operators.iterate(value, args.line());
    if (args.positional().isEmpty()) {
      args.accept("attribute", "default");
      Object attribute = args.required(0, "attribute");
      Object fallback = args.optional(1, "default", null);
      for (Object item : items) {
        Object mapped = attribute(item, attribute, args.line());
        out.add(mapped instanceof Undefined && fallback != null ? fallback : mapped);
      }
      return out;
    }
    String filter = (String) args.positional().getFirst();
    if (!Filters.supports(filter)) {
      throw new UnsupportedConstructException("filter '" + filter + "'", args.line());
    }
    Arguments rest = rest(args, filter);
    for (Object item : items) {
      out.add(Filters.apply(filter, item, rest));
    }
    return out;
  }

  private static Arguments rest(Arguments args, String function) {
    List<Object> tail = args.positional().subList(1, args.positional().size());
    return new Arguments(tail, args.keywords(), function, args.line());
  }

  private static Object select(Object value, Arguments args, boolean keep, boolean byAttribute) {
    int line = args.line();
    Object attribute = byAttribute ? args.required(0, "attribute") : null;
    Arguments afterAttribute = byAttribute ? rest(args, "select") : args;
    String test =
        afterAttribute.positional().isEmpty()
            ? null
            : (String) afterAttribute.positional().getFirst();
    if (test != null && !Tests.supports(test)) {
      throw new UnsupportedConstructException("test '" + test + "'", line);
    }
    Arguments testArgs = test == null ? null : rest(afterAttribute, test);
    List<Object> out = new ArrayList<>();
    for (Object item : Operators.iterate(value, line)) {
      Object subject = byAttribute ? attribute(item, attribute, line) : item;
      boolean passes = test == null ? Py.truthy(subject) : Tests.apply(test, subject, testArgs);
      if (passes == keep) {
        out.add(item);
      }
    }
    return out;
  }

  private static Comparator<Object> order(boolean caseSensitive, Object attribute, int line) {
    return (a, b) -> {
      Object ka = key(a, caseSensitive, attribute, line);
      Object kb = key(b, caseSensitive, attribute, line);
      return Py.compare(ka, kb, "<", line);
    };
  }

  private static Object key(Object item, boolean caseSensitive, Object attribute, int line) {
    Object value = attribute == null ? item : attribute(item, attribute, line);
    return !caseSensitive && value instanceof String s
        ? s.toLowerCase(java.util.Locale.ROOT)
        : value;
  }

  private static Object sort(Object value, Arguments args) {
    boolean reverse = Py.truthy(args.optional(0, "reverse", false));
    boolean caseSensitive = Py.truthy(args.optional(1, "case_sensitive", false));
    Object attribute = args.optional(2, "attribute", null);
    List<Object> items = new ArrayList<>(Operators.iterate(value, args.line()));
    Comparator<Object> order = order(caseSensitive, attribute, args.line());
    items.sort(reverse ? order.reversed() : order);
    return items;
  }

  private static Object dictsort(Object value, Arguments args) {
    boolean caseSensitive = Py.truthy(args.optional(0, "case_sensitive", false));
    Object by = args.optional(1, "by", "key");
    boolean reverse = Py.truthy(args.optional(2, "reverse", false));
    if (!(value instanceof Map<?, ?> map)) {
      throw new TemplateException("dictsort needs a mapping", args.line());
    }
    int position =
        switch (String.valueOf(by)) {
          case "key" -> 0;
          case "value" -> 1;
          default ->
              throw new TemplateException(
                  "You can only sort by either \"key\" or \"value\"", args.line());
        };
    List<Object> pairs = new ArrayList<>();
    map.forEach((k, v) -> pairs.add(PyTuple.of(k, v)));
    Comparator<Object> order =
        (a, b) ->
            Py.compare(
                key(((PyTuple) a).items().get(position), caseSensitive, null, args.line()),
                key(((PyTuple) b).items().get(position), caseSensitive, null, args.line()),
                "<",
                args.line());
    pairs.sort(reverse ? order.reversed() : order);
    return pairs;
  }

  private static Object unique(Object value, Arguments args) {
    boolean caseSensitive = Py.truthy(args.optional(0, "case_sensitive", false));
    Object attribute = args.optional(1, "attribute", null);
    List<Object> out = new ArrayList<>();
    List<Object> seen = new ArrayList<>();
    for (Object item : Operators.iterate(value, args.line())) {
      Object key = key(item, caseSensitive, attribute, args.line());
      if (seen.stream().noneMatch(k -> Py.eq(k, key))) {
        seen.add(key);
        out.add(item);
      }
    }
    return out;
  }

  private static Object extreme(Object value, Arguments args, boolean max) {
    boolean caseSensitive = Py.truthy(args.optional(0, "case_sensitive", false));
    Object attribute = args.optional(1, "attribute", null);
    List<Object> items = Operators.iterate(value, args.line());
    if (items.isEmpty()) {
      return new Undefined("No aggregated item, sequence was empty.");
    }
    Comparator<Object> order = order(caseSensitive, attribute, args.line());
    Object best = items.getFirst();
    for (Object item : items) {
      int c = order.compare(item, best);
      if (max ? c > 0 : c < 0) {
        best = item;
      }
    }
    return best;
  }

  private static Object sum(Object value, Arguments args) {
    Object attribute = args.optional(0, "attribute", null);
    Object total = args.optional(1, "start", 0L);
    for (Object item : Operators.iterate(value, args.line())) {
      Object term = attribute == null ? item : attribute(item, attribute, args.line());
      total = Operators.binary("+", total, term, args.line());
    }
    return total;
  }

  static Map<Object, Object> dict(Arguments args) {
    if (!args.positional().isEmpty()) {
      throw new UnsupportedConstructException("dict() with positional arguments", args.line());
    }
    return new LinkedHashMap<>(args.keywords());
  }
}
