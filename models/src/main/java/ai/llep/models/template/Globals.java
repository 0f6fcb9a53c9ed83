package ai.llep.models.template;

import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The functions a chat template can call by name: Jinja's {@code range}, {@code dict}, {@code
 * namespace}, and transformers' {@code raise_exception} and {@code strftime_now}.
 */
final class Globals {
  private static final long MAX_RANGE = 100_000;

  private Globals() {}

  /** The global {@code name}, or {@link Scope#MISSING}. */
  static Object lookup(String name, Clock clock, int line) {
    return switch (name) {
      case "range" ->
          (PyCallable) (args, kwargs, at) -> range(new Arguments(args, kwargs, "range", at));
      case "dict" ->
          (PyCallable)
              (args, kwargs, at) -> SequenceFilters.dict(new Arguments(args, kwargs, "dict", at));
      case "namespace" -> (PyCallable) (args, kwargs, at) -> namespace(args, kwargs, at);
      case "raise_exception" ->
          (PyCallable)
              (args, kwargs, at) -> {
                Arguments a = new Arguments(args, kwargs, "raise_exception", at).accept("message");
                throw new TemplateException(PyFormat.str(a.required(0, "message"), at), at);
              };
      case "strftime_now" ->
          (PyCallable)
              (args, kwargs, at) -> {
                Arguments a = new Arguments(args, kwargs, "strftime_now", at).accept("format");
                return Strftime.format(LocalDateTime.now(clock), a.string(0, "format"), at);
              };
      case "lipsum", "cycler", "joiner" ->
          throw new UnsupportedConstructException("the global '" + name + "'", line);
      default -> Scope.MISSING;
    };
  }

  private static Object range(Arguments args) {
    List<Object> values = args.positional();
    if (!args.keywords().isEmpty() || values.isEmpty() || values.size() > 3) {
      throw new TemplateException("range() takes 1 to 3 positional arguments", args.line());
    }
    for (Object value : values) {
      if (!Py.isIntegral(value)) {
        throw new TemplateException(
            "'" + Py.typeName(value) + "' object cannot be interpreted as an integer", args.line());
      }
    }
    long start = values.size() == 1 ? 0 : Py.asLong(values.get(0));
    long stop = Py.asLong(values.get(values.size() == 1 ? 0 : 1));
    long step = values.size() == 3 ? Py.asLong(values.get(2)) : 1;
    if (step == 0) {
      throw new TemplateException("range() arg 3 must not be zero", args.line());
    }
    List<Object> out = new ArrayList<>();
    for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
      if (out.size() >= MAX_RANGE) {
        throw new TemplateException(
            "range too big, maximum size for range is " + MAX_RANGE, args.line());
      }
      out.add(i);
    }
    return out;
  }

  private static Object namespace(List<Object> args, Map<String, Object> kwargs, int line) {
    Namespace ns = new Namespace();
    if (args.size() > 1) {
      throw new TemplateException("namespace() takes at most one positional argument", line);
    }
    if (!args.isEmpty()) {
      if (!(args.getFirst() instanceof Map<?, ?> map)) {
        throw new UnsupportedConstructException("namespace() from a non-mapping", line);
      }
      map.forEach((k, v) -> ns.attributes.put(String.valueOf(k), v));
    }
    ns.attributes.putAll(kwargs);
    return ns;
  }
}
