package ai.llep.models.template;

import java.util.List;

/** An expression of the template language; every node keeps its template line for errors. */
sealed interface Expr {
  int line();

  /** A literal: string, integer (Long), float (Double), boolean, or none (null). */
  record Literal(Object value, int line) implements Expr {}

  record Name(String name, int line) implements Expr {}

  record ListExpr(List<Expr> items, int line) implements Expr {}

  record TupleExpr(List<Expr> items, int line) implements Expr {}

  record DictExpr(List<Expr> keys, List<Expr> values, int line) implements Expr {}

  /** {@code target.name}. */
  record Attribute(Expr target, String name, int line) implements Expr {}

  /** {@code target[key]}; a slice key is a {@link Slice}. */
  record Item(Expr target, Expr key, int line) implements Expr {}

  /** {@code start:stop:step}, each part optional (null). */
  record Slice(Expr start, Expr stop, Expr step, int line) implements Expr {}

  /** Arguments of a call, filter or test: positional, then keywords in order. */
  record Args(List<Expr> positional, List<String> names, List<Expr> keywords) {
    static final Args NONE = new Args(List.of(), List.of(), List.of());
  }

  record Call(Expr callee, Args args, int line) implements Expr {}

  /** {@code value | name(args)}; {@code value} is null in a filter block. */
  record Filter(Expr value, String name, Args args, int line) implements Expr {}

  /** {@code value is name args}. */
  record Test(Expr value, String name, Args args, int line) implements Expr {}

  /** {@code -x}, {@code +x}, {@code not x}. */
  record Unary(String op, Expr operand, int line) implements Expr {}

  /** Arithmetic: {@code + - * / // % **}. */
  record Binary(String op, Expr left, Expr right, int line) implements Expr {}

  /** {@code and} / {@code or}, short-circuiting and returning an operand as Python does. */
  record Logical(boolean and, Expr left, Expr right, int line) implements Expr {}

  /** A comparison chain {@code a < b == c}; ops are {@code == != < <= > >= in notin}. */
  record Compare(Expr first, List<String> ops, List<Expr> rest, int line) implements Expr {}

  /** {@code a ~ b ~ c}. */
  record Concat(List<Expr> parts, int line) implements Expr {}

  /** {@code then if test else otherwise}; {@code otherwise} null gives undefined. */
  record Conditional(Expr test, Expr then, Expr otherwise, int line) implements Expr {}
}
