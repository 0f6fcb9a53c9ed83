package ai.llep.models.template;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/** Runs a template's statements once, writing the output and recording generation spans. */
final class Renderer {
  /** A {@code break} or {@code continue} on its way to the innermost loop. */
  private static final class LoopSignal extends RuntimeException {
    LoopSignal() {
      super(null, null, false, false);
    }
  }

  private static final LoopSignal BREAK = new LoopSignal();
  private static final LoopSignal CONTINUE = new LoopSignal();

  private final Clock clock;
  private final Evaluator evaluator = new Evaluator(this);
  private final StringBuilder top = new StringBuilder();
  private final Deque<StringBuilder> captures = new ArrayDeque<>();
  private final List<Span> generation = new ArrayList<>();

  Renderer(Clock clock) {
    this.clock = clock;
  }

  Clock clock() {
    return clock;
  }

  Rendered render(List<Stmt> body, Map<String, Object> variables) {
    Scope root = new Scope(null);
    variables.forEach(root::set);
    execute(body, root);
    return new Rendered(top.toString(), generation);
  }

  Object evaluate(Expr expr, Scope scope) {
    return evaluator.evaluate(expr, scope);
  }

  /** Renders {@code body} into a string of its own (a macro, a block set, a filter block). */
  String capture(List<Stmt> body, Scope scope) {
    captures.push(new StringBuilder());
    try {
      execute(body, scope);
      return captures.peek().toString();
    } finally {
      captures.pop();
    }
  }

  private StringBuilder out() {
    return captures.isEmpty() ? top : captures.peek();
  }

  void execute(List<Stmt> body, Scope scope) {
    for (Stmt stmt : body) {
      try {
        execute(stmt, scope);
      } catch (TemplateException | LoopSignal e) {
        throw e;
      } catch (RuntimeException e) {
        throw new TemplateException("cannot evaluate this statement: " + e, stmt.line(), e);
      }
    }
  }

  private void execute(Stmt stmt, Scope scope) {
    switch (stmt) {
      case Stmt.Text text -> out().append(text.text());
      case Stmt.Print print ->
          out().append(PyFormat.str(evaluate(print.expr(), scope), print.line()));
      case Stmt.If branch -> executeIf(branch, scope);
      case Stmt.For loop -> executeFor(loop, scope);
      case Stmt.Set set ->
          assign(
              set.target(),
              set.unpack(),
              set.namespaceAttr(),
              evaluate(set.value(), scope),
              scope,
              set.line());
      case Stmt.SetBlock set -> {
        Object value = capture(set.body(), new Scope(scope));
        if (set.filter() != null) {
          value = evaluator.filter((Expr.Filter) set.filter(), scope, value);
        }
        assign(List.of(set.name()), false, set.namespaceAttr(), value, scope, set.line());
      }
      case Stmt.Macro macro -> scope.set(macro.name(), new Macro(macro, scope, this));
      case Stmt.FilterBlock block -> {
        String body = capture(block.body(), new Scope(scope));
        out()
            .append(
                PyFormat.str(
                    evaluator.filter((Expr.Filter) block.filter(), scope, body), block.line()));
      }
      case Stmt.With with -> {
        Scope inner = new Scope(scope);
        List<Object> values = new ArrayList<>();
        with.values().forEach(v -> values.add(evaluate(v, scope)));
        for (int i = 0; i < values.size(); i++) {
          inner.set(with.names().get(i), values.get(i));
        }
        execute(with.body(), inner);
      }
      case Stmt.Generation block -> {
        String body = capture(block.body(), new Scope(scope));
        int start = top.length();
        out().append(body);
        generation.add(new Span(start, start + body.length()));
      }
      case Stmt.Break b -> throw BREAK;
      case Stmt.Continue c -> throw CONTINUE;
    }
  }

  private void executeIf(Stmt.If branch, Scope scope) {
    for (int i = 0; i < branch.tests().size(); i++) {
      if (Py.truthy(evaluate(branch.tests().get(i), scope))) {
        execute(branch.bodies().get(i), scope);
        return;
      }
    }
    execute(branch.otherwise(), scope);
  }

  private void executeFor(Stmt.For loop, Scope scope) {
    List<Object> items = Operators.iterate(evaluate(loop.iterable(), scope), loop.line());
    if (loop.filter() != null) {
      List<Object> kept = new ArrayList<>();
      for (Object item : items) {
        Scope candidate = new Scope(scope);
        assign(loop.target(), loop.unpack(), null, item, candidate, loop.line());
        if (Py.truthy(evaluate(loop.filter(), candidate))) {
          kept.add(item);
        }
      }
      items = kept;
    }
    if (items.isEmpty()) {
      execute(loop.otherwise(), new Scope(scope));
      return;
    }
    LoopContext context = new LoopContext(items);
    for (int i = 0; i < items.size(); i++) {
      Scope iteration = new Scope(scope);
      assign(loop.target(), loop.unpack(), null, items.get(i), iteration, loop.line());
      context.index0 = i;
      iteration.set("loop", context);
      try {
        execute(loop.body(), iteration);
      } catch (LoopSignal signal) {
        if (signal == BREAK) {
          return;
        }
      }
    }
  }

  private void assign(
      List<String> names, boolean unpack, String attribute, Object value, Scope scope, int line) {
    if (attribute != null) {
      Object target = scope.lookup(names.getFirst());
      if (!(target instanceof Namespace ns)) {
        throw new TemplateException("cannot assign attribute on non-namespace object", line);
      }
      ns.attributes.put(attribute, value);
      return;
    }
    if (!unpack) {
      scope.set(names.getFirst(), value);
      return;
    }
    List<Object> parts = Operators.iterate(value, line);
    if (parts.size() != names.size()) {
      throw new TemplateException(
          (parts.size() > names.size() ? "too many" : "not enough")
              + " values to unpack (expected "
              + names.size()
              + ", got "
              + parts.size()
              + ")",
          line);
    }
    for (int i = 0; i < names.size(); i++) {
      scope.set(names.get(i), parts.get(i));
    }
  }
}
