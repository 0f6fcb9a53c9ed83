package ai.llep.models.template;

import java.util.List;
import java.util.Map;

/** Anything a template can call: a global function, a macro, a bound string or dict method. */
@FunctionalInterface
interface PyCallable {
  Object call(List<Object> args, Map<String, Object> kwargs, int line);
}
