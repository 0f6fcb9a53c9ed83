package ai.llep.models.template;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Evaluates expressions in a scope, with Python's semantics (see {@link Py}). */
final class Evaluator {
  private final Renderer renderer;

  Evaluator(Renderer renderer) {
    this.renderer = renderer;
  }

  Object evaluate(Expr expr, Scope scope) {
    return switch (expr) {
      case Expr.Literal literal -> literal.value();
      case Expr.Name name -> name(name, scope);
      case Expr.ListExpr list -> all(list.items(), scope);
      case Expr.TupleExpr tuple -> new PyTuple(all(tuple.items(), scope));
      case Expr.DictExpr dict -> dict(dict, scope);
      case Expr.Attribute a -> Access.attribute(evaluate(a.target(), scope), a.name(), a.line());
      case Expr.Item item -> item(item, scope);
      case Expr.Slice slice ->
          throw new TemplateException("a slice is only valid inside [...]", slice.line());
      case Expr.Call call -> call(call, scope);
      case Expr.Filter filter -> filter(filter, scope, null);
      case Expr.Test test ->
          Tests.apply(
              test.name(),
              evaluate(test.value(), scope),
              arguments(test.args(), test.name(), test.line(), scope));
      case Expr.Unary unary -> unary(unary, scope);
      case Expr.Binary b ->
          Operators.binary(b.op(), evaluate(b.left(), scope), evaluate(b.right(), scope), b.line());
      case Expr.Logical logical -> logical(logical, scope);
      case Expr.Compare compare -> compare(compare, scope);
      case Expr.Concat concat -> {
        StringBuilder out = new StringBuilder();
        for (Expr part : concat.parts()) {
          out.append(PyFormat.str(evaluate(part, scope), concat.line()));
        }
        yield out.toString();
      }
      case Expr.Conditional c ->
          Py.truthy(evaluate(c.test(), scope))
              ? evaluate(c.then(), scope)
              : c.otherwise() == null
                  ? new Undefined(
                      "the inline if-expression on line "
                          + c.line()
                          + " evaluated to false and no else section was defined.")
                  : evaluate(c.otherwise(), scope);
    };
  }

  private Object name(Expr.Name name, Scope scope) {
    Object value = scope.lookup(name.name());
    if (value == Scope.MISSING) {
      value = Globals.lookup(name.name(), renderer.clock(), name.line());
    }
    return value == Scope.MISSING ? Undefined.variable(name.name()) : value;
  }

  private List<Object> all(List<Expr> items, Scope scope) {
    List<Object> out = new ArrayList<>(items.size());
    for (Expr item : items) {
      out.add(evaluate(item, scope));
    }
    return out;
  }

  private Object dict(Expr.DictExpr dict, Scope scope) {
    Map<Object, Object> out = new LinkedHashMap<>();
    for (int i = 0; i < dict.keys().size(); i++) {
      Object key = evaluate(dict.keys().get(i), scope);
      if (key instanceof List || key instanceof Map || key instanceof Undefined) {
        throw new TemplateException("unhashable type: '" + Py.typeName(key) + "'", dict.line());
      }
      Object existing = Py.findKey(out, key);
      out.put(existing == Py.NO_KEY ? key : existing, evaluate(dict.values().get(i), scope));
    }
    return out;
  }

  private Object item(Expr.Item item, Scope scope) {
    Object target = evaluate(item.target(), scope);
    if (item.key() instanceof Expr.Slice s) {
      return Access.slice(
          target,
          optional(s.start(), scope),
          optional(s.stop(), scope),
          optional(s.step(), scope),
          item.line());
    }
    return Access.item(target, evaluate(item.key(), scope), item.line());
  }

  private Object optional(Expr expr, Scope scope) {
    return expr == null ? null : evaluate(expr, scope);
  }

  private Object call(Expr.Call call, Scope scope) {
    Object callee = evaluate(call.callee(), scope);
    Arguments args = arguments(call.args(), "call", call.line(), scope);
    if (callee instanceof Undefined u) {
      throw u.error(call.line());
    }
    if (!(callee instanceof PyCallable function)) {
      throw new TemplateException(
          "'" + Py.typeName(callee) + "' object is not callable", call.line());
    }
    return function.call(args.positional(), args.keywords(), call.line());
  }

  Arguments arguments(Expr.Args args, String function, int line, Scope scope) {
    List<Object> positional = all(args.positional(), scope);
    Map<String, Object> keywords = new LinkedHashMap<>();
    for (int i = 0; i < args.names().size(); i++) {
      keywords.put(args.names().get(i), evaluate(args.keywords().get(i), scope));
    }
    return new Arguments(positional, keywords, function, line);
  }

  /** A filter chain; the innermost missing value (a filter block or set block) is {@code input}. */
  Object filter(Expr.Filter filter, Scope scope, Object input) {
    Object value =
        filter.value() == null
            ? input
            : filter.value() instanceof Expr.Filter inner
                ? filter(inner, scope, input)
                : evaluate(filter.value(), scope);
    return Filters.apply(
        filter.name(), value, arguments(filter.args(), filter.name(), filter.line(), scope));
  }

  private Object unary(Expr.Unary unary, Scope scope) {
    Object value = evaluate(unary.operand(), scope);
    return switch (unary.op()) {
      case "not" -> !Py.truthy(value);
      case "-" -> Operators.negate(value, true, unary.line());
      default -> Operators.negate(value, false, unary.line());
    };
  }

  private Object logical(Expr.Logical logical, Scope scope) {
    Object left = evaluate(logical.left(), scope);
    boolean decided = logical.and() ? !Py.truthy(left) : Py.truthy(left);
    return decided ? left : evaluate(logical.right(), scope);
  }

  private Object compare(Expr.Compare compare, Scope scope) {
    Object left = evaluate(compare.first(), scope);
    for (int i = 0; i < compare.ops().size(); i++) {
      Object right = evaluate(compare.rest().get(i), scope);
      String op = compare.ops().get(i);
      int line = compare.line();
      boolean holds =
          switch (op) {
            case "==" -> Py.eq(left, right);
            case "!=" -> !Py.eq(left, right);
            case "in" -> Operators.contains(right, left, line);
            case "notin" -> !Operators.contains(right, left, line);
            case "<" -> Py.compare(left, right, op, line) < 0;
            case "<=" -> Py.compare(left, right, op, line) <= 0;
            case ">" -> Py.compare(left, right, op, line) > 0;
            default -> Py.compare(left, right, op, line) >= 0;
          };
      if (!holds) {
        return false;
      }
      left = right;
    }
    return true;
  }
}
