package ai.llep.models.template;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables visible at one point of a template. As in Jinja, each for-loop iteration, macro call
 * and {@code with} block gets its own scope (a {@code set} inside it does not leak out), while
 * {@code if} blocks share their enclosing one.
 */
final class Scope {
  static final Object MISSING = new Object();

  private final Scope parent;
  private final Map<String, Object> variables = new HashMap<>();

  Scope(Scope parent) {
    this.parent = parent;
  }

  Object lookup(String name) {
    for (Scope scope = this; scope != null; scope = scope.parent) {
      if (scope.variables.containsKey(name)) {
        return scope.variables.get(name);
      }
    }
    return MISSING;
  }

  void set(String name, Object value) {
    variables.put(name, value);
  }
}
