package ai.llep.models.template;

import java.util.List;
import java.util.Map;

/** The arguments of one call to a filter, test, method or global, bound by position or name. */
record Arguments(List<Object> positional, Map<String, Object> keywords, String function, int line) {
  private static final Object MISSING = new Object();

  /** Fails unless every positional argument and keyword fits the parameters {@code names}. */
  Arguments accept(String... names) {
    if (positional.size() > names.length) {
      throw new TemplateException(
          function
              + "() takes at most "
              + names.length
              + " arguments ("
              + positional.size()
              + " given)",
          line);
    }
    for (String key : keywords.keySet()) {
      int at = List.of(names).indexOf(key);
      if (at < 0) {
        throw new TemplateException(
            function + "() got an unexpected keyword argument '" + key + "'", line);
      }
      if (at < positional.size()) {
        throw new TemplateException(
            function + "() got multiple values for argument '" + key + "'", line);
      }
    }
    return this;
  }

  void none() {
    accept();
  }

  Object required(int index, String name) {
    Object value = get(index, name, MISSING);
    if (value == MISSING) {
      throw new TemplateException(function + "() missing required argument '" + name + "'", line);
    }
    return value;
  }

  Object optional(int index, String name, Object fallback) {
    return get(index, name, fallback);
  }

  boolean has(int index, String name) {
    return index < positional.size() || keywords.containsKey(name);
  }

  private Object get(int index, String name, Object fallback) {
    if (index < positional.size()) {
      return positional.get(index);
    }
    return keywords.containsKey(name) ? keywords.get(name) : fallback;
  }

  String string(int index, String name) {
    Object value = required(index, name);
    if (!(value instanceof String s)) {
      throw new TemplateException(
          function + "() argument '" + name + "' must be str, not " + Py.typeName(value), line);
    }
    return s;
  }

  /** An optional string argument that may also be None (as {@code strip(None)}). */
  String optionalString(int index, String name) {
    Object value = optional(index, name, null);
    if (value != null && !(value instanceof String)) {
      throw new TemplateException(
          function + "() argument '" + name + "' must be str or None, not " + Py.typeName(value),
          line);
    }
    return (String) value;
  }

  long integer(int index, String name, long fallback) {
    Object value = optional(index, name, fallback);
    if (!Py.isIntegral(value)) {
      throw new TemplateException(
          function + "() argument '" + name + "' must be int, not " + Py.typeName(value), line);
    }
    return Py.asLong(value);
  }
}
