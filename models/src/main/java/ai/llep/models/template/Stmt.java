package ai.llep.models.template;

import java.util.List;

/** A statement of the template language. */
sealed interface Stmt {
  int line();

  /** Template text outside tags. */
  record Text(String text, int line) implements Stmt {}

  /** {@code {{ expr }}}. */
  record Print(Expr expr, int line) implements Stmt {}

  /** {@code if}/{@code elif} branches in order, then the {@code else} body (maybe empty). */
  record If(List<Expr> tests, List<List<Stmt>> bodies, List<Stmt> otherwise, int line)
      implements Stmt {}

  /**
   * {@code for target in iterable if filter} ... {@code else} ... {@code endfor}.
   *
   * @param target one name or a tuple of names
   */
  record For(
      List<String> target,
      boolean unpack,
      Expr iterable,
      Expr filter,
      List<Stmt> body,
      List<Stmt> otherwise,
      int line)
      implements Stmt {}

  /** {@code set target = value}; {@code namespaceAttr} non-null for {@code set ns.attr = value}. */
  record Set(List<String> target, boolean unpack, String namespaceAttr, Expr value, int line)
      implements Stmt {}

  /** {@code set name | filters} ... {@code endset}; {@code filter} wraps a null value. */
  record SetBlock(String name, String namespaceAttr, Expr filter, List<Stmt> body, int line)
      implements Stmt {}

  record Macro(String name, List<String> params, List<Expr> defaults, List<Stmt> body, int line)
      implements Stmt {}

  /** {@code filter name(args)} ... {@code endfilter}. */
  record FilterBlock(Expr filter, List<Stmt> body, int line) implements Stmt {}

  /** {@code with a = 1, b = 2} ... {@code endwith}. */
  record With(List<String> names, List<Expr> values, List<Stmt> body, int line) implements Stmt {}

  /** Transformers' {@code generation} ... {@code endgeneration}: marks assistant text. */
  record Generation(List<Stmt> body, int line) implements Stmt {}

  record Break(int line) implements Stmt {}

  record Continue(int line) implements Stmt {}
}
