package ai.llep.models.template;

import java.util.List;
import java.util.Map;

/** A macro defined by a template: callable like a function, its output returned as a string. */
final class Macro implements PyCallable {
  private final Stmt.Macro definition;
  private final Scope closure;
  private final Renderer renderer;

  Macro(Stmt.Macro definition, Scope closure, Renderer renderer) {
    this.definition = definition;
    this.closure = closure;
    this.renderer = renderer;
  }

  @Override
  public Object call(List<Object> args, Map<String, Object> kwargs, int line) {
    return invoke(args, kwargs, line);
  }

  /** Renders the body with the arguments bound. */
  private Object invoke(List<Object> args, Map<String, Object> kwargs, int line) {
    List<String> params = definition.params();
    if (args.size() > params.size()) {
      throw new TemplateException(
          "macro '" + definition.name() + "' takes not more than " + params.size() + " argument(s)",
          line);
    }
    for (String key : kwargs.keySet()) {
      if (!params.contains(key)) {
        throw new TemplateException(
            "macro '" + definition.name() + "' takes no keyword argument '" + key + "'", line);
      }
    }
    Scope scope = new Scope(closure);
    int firstDefault = params.size() - definition.defaults().size();
    for (int i = 0; i < params.size(); i++) {
      String param = params.get(i);
      Object value;
      if (i < args.size()) {
        value = args.get(i);
      } else if (kwargs.containsKey(param)) {
        value = kwargs.get(param);
      } else if (i >= firstDefault) {
        value = renderer.evaluate(definition.defaults().get(i - firstDefault), scope);
      } else {
        value = new Undefined("parameter '" + param + "' was not provided");
      }
      scope.set(param, value);
    }
    return renderer.capture(definition.body(), scope);
  }
}
