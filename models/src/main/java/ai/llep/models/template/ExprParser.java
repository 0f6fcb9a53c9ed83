package ai.llep.models.template;

import ai.llep.models.template.Expr.Args;
import ai.llep.models.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Expressions, with Jinja's grammar and precedence (its {@code parser.py}, rule for rule). */
class ExprParser {
  private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

  final TokenStream stream;

  ExprParser(TokenStream stream) {
    this.stream = stream;
  }

  Expr expression() {
    return conditional();
  }

  Expr expression(boolean withConditional) {
    return withConditional ? conditional() : or();
  }

  private Expr conditional() {
    int line = stream.current().line();
    Expr expr = or();
    while (stream.skipName("if")) {
      Expr test = or();
      Expr otherwise = stream.skipName("else") ? conditional() : null;
      expr = new Expr.Conditional(test, expr, otherwise, line);
      line = stream.current().line();
    }
    return expr;
  }

  private Expr or() {
    int line = stream.current().line();
    Expr left = and();
    while (stream.skipName("or")) {
      left = new Expr.Logical(false, left, and(), line);
    }
    return left;
  }

  private Expr and() {
    int line = stream.current().line();
    Expr left = not();
    while (stream.skipName("and")) {
      left = new Expr.Logical(true, left, not(), line);
    }
    return left;
  }

  private Expr not() {
    if (stream.current().isName("not")) {
      int line = stream.next().line();
      return new Expr.Unary("not", not(), line);
    }
    return compare();
  }

  private Expr compare() {
    int line = stream.current().line();
    Expr first = math1();
    List<String> ops = new ArrayList<>();
    List<Expr> rest = new ArrayList<>();
    while (true) {
      Token token = stream.current();
      if (token.kind() == Kind.OPERATOR && COMPARE.contains(token.value())) {
        stream.next();
        ops.add(token.value());
      } else if (stream.skipName("in")) {
        ops.add("in");
      } else if (token.isName("not") && stream.look().isName("in")) {
        stream.next();
        stream.next();
        ops.add("notin");
      } else {
        break;
      }
      rest.add(math1());
    }
    return ops.isEmpty() ? first : new Expr.Compare(first, ops, rest, line);
  }

  private Expr math1() {
    int line = stream.current().line();
    Expr left = concat();
    while (stream.current().isOperator("+") || stream.current().isOperator("-")) {
      String op = stream.next().value();
      left = new Expr.Binary(op, left, concat(), line);
    }
    return left;
  }

  private Expr concat() {
    int line = stream.current().line();
    List<Expr> parts = new ArrayList<>(List.of(math2()));
    while (stream.skipOperator("~")) {
      parts.add(math2());
    }
    return parts.size() == 1 ? parts.getFirst() : new Expr.Concat(parts, line);
  }

  private Expr math2() {
    int line = stream.current().line();
    Expr left = pow();
    while (Set.of("*", "/", "//", "%").contains(stream.current().value())
        && stream.current().kind() == Kind.OPERATOR) {
      String op = stream.next().value();
      left = new Expr.Binary(op, left, pow(), line);
    }
    return left;
  }

  private Expr pow() {
    int line = stream.current().line();
    Expr left = unary(true);
    while (stream.skipOperator("**")) {
      left = new Expr.Binary("**", left, unary(true), line);
    }
    return left;
  }

  private Expr unary(boolean withFilter) {
    Token token = stream.current();
    Expr node;
    if (token.isOperator("-") || token.isOperator("+")) {
      stream.next();
      node = new Expr.Unary(token.value(), unary(false), token.line());
    } else {
      node = primary(false);
    }
    node = postfix(node);
    return withFilter ? filterExpr(node) : node;
  }

  Expr primary(boolean withNamespace) {
    Token token = stream.current();
    switch (token.kind()) {
      case NAME -> {
        stream.next();
        return switch (token.value()) {
          case "true", "True" -> new Expr.Literal(true, token.line());
          case "false", "False" -> new Expr.Literal(false, token.line());
          case "none", "None" -> new Expr.Literal(null, token.line());
          default -> {
            if (withNamespace && stream.current().isOperator(".")) {
              stream.next();
              String attr = stream.expect(Kind.NAME).value();
              yield new Expr.Attribute(
                  new Expr.Name(token.value(), token.line()), attr, token.line());
            }
            yield new Expr.Name(token.value(), token.line());
          }
        };
      }
      case STRING -> {
        StringBuilder text = new StringBuilder();
        while (stream.current().kind() == Kind.STRING) {
          text.append(stream.next().value());
        }
        return new Expr.Literal(text.toString(), token.line());
      }
      case INTEGER -> {
        stream.next();
        return new Expr.Literal(integer(token), token.line());
      }
      case FLOAT -> {
        stream.next();
        return new Expr.Literal(Double.parseDouble(token.value().replace("_", "")), token.line());
      }
      default -> {}
    }
    if (token.isOperator("(")) {
      stream.next();
      Expr inner = tuple(false, true, Set.of(), true, false);
      stream.expectOperator(")");
      return inner;
    }
    if (token.isOperator("[")) {
      return list();
    }
    if (token.isOperator("{")) {
      return dict();
    }
    throw new TemplateException("unexpected " + token.describe(), token.line());
  }

  private static Long integer(Token token) {
    String digits = token.value().replace("_", "").toLowerCase();
    try {
      if (digits.startsWith("0x")) {
        return Long.parseLong(digits.substring(2), 16);
      } else if (digits.startsWith("0o")) {
        return Long.parseLong(digits.substring(2), 8);
      } else if (digits.startsWith("0b")) {
        return Long.parseLong(digits.substring(2), 2);
      }
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      throw new UnsupportedConstructException(
          "the integer literal " + token.value() + " (beyond 64 bits)", token.line());
    }
  }

  /**
   * Jinja's {@code parse_tuple}: one expression, or a tuple when commas separate several.
   *
   * @param simplified only names and literals (assignment targets)
   * @param endNames names that also end the tuple (as {@code in} in a for loop)
   */
  Expr tuple(
      boolean simplified,
      boolean withConditional,
      Set<String> endNames,
      boolean explicitParentheses,
      boolean withNamespace) {
    int line = stream.current().line();
    List<Expr> items = new ArrayList<>();
    boolean isTuple = false;
    while (true) {
      if (!items.isEmpty()) {
        stream.expectOperator(",");
      }
      if (tupleEnd(endNames)) {
        break;
      }
      items.add(simplified ? primary(withNamespace) : expression(withConditional));
      if (stream.current().isOperator(",")) {
        isTuple = true;
      } else {
        break;
      }
    }
    if (!isTuple) {
      if (!items.isEmpty()) {
        return items.getFirst();
      }
      if (!explicitParentheses) {
        throw new TemplateException(
            "expected an expression, got " + stream.current().describe(), stream.current().line());
      }
    }
    return new Expr.TupleExpr(items, line);
  }

  private boolean tupleEnd(Set<String> endNames) {
    Token token = stream.current();
    return token.kind() == Kind.VARIABLE_END
        || token.kind() == Kind.BLOCK_END
        || token.isOperator(")")
        || (token.kind() == Kind.NAME && endNames.contains(token.value()));
  }

  private Expr list() {
    int line = stream.expectOperator("[").line();
    List<Expr> items = new ArrayList<>();
    while (!stream.current().isOperator("]")) {
      if (!items.isEmpty()) {
        stream.expectOperator(",");
      }
      if (stream.current().isOperator("]")) {
        break;
      }
      items.add(expression());
    }
    stream.expectOperator("]");
    return new Expr.ListExpr(items, line);
  }

  private Expr dict() {
    int line = stream.expectOperator("{").line();
    List<Expr> keys = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (!stream.current().isOperator("}")) {
      if (!keys.isEmpty()) {
        stream.expectOperator(",");
      }
      if (stream.current().isOperator("}")) {
        break;
      }
      keys.add(expression());
      stream.expectOperator(":");
      values.add(expression());
    }
    stream.expectOperator("}");
    return new Expr.DictExpr(keys, values, line);
  }

  Expr postfix(Expr node) {
    Expr result = node;
    while (true) {
      Token token = stream.current();
      if (token.isOperator(".") || token.isOperator("[")) {
        result = subscript(result);
      } else if (token.isOperator("(")) {
        result = new Expr.Call(result, callArgs(), token.line());
      } else {
        return result;
      }
    }
  }

  private Expr filterExpr(Expr node) {
    Expr result = node;
    while (true) {
      Token token = stream.current();
      if (token.isOperator("|")) {
        result = filters(result, false);
      } else if (token.isName("is")) {
        result = test(result);
      } else if (token.isOperator("(")) {
        result = new Expr.Call(result, callArgs(), token.line());
      } else {
        return result;
      }
    }
  }

  private Expr subscript(Expr target) {
    Token token = stream.next();
    if (token.isOperator(".")) {
      Token attr = stream.next();
      if (attr.kind() == Kind.NAME) {
        return new Expr.Attribute(target, attr.value(), token.line());
      }
      if (attr.kind() != Kind.INTEGER) {
        throw new TemplateException("expected name or number", attr.line());
      }
      return new Expr.Item(target, new Expr.Literal(integer(attr), attr.line()), token.line());
    }
    List<Expr> keys = new ArrayList<>();
    while (!stream.current().isOperator("]")) {
      if (!keys.isEmpty()) {
        stream.expectOperator(",");
      }
      keys.add(subscribed());
    }
    stream.expectOperator("]");
    Expr key = keys.size() == 1 ? keys.getFirst() : new Expr.TupleExpr(keys, token.line());
    return new Expr.Item(target, key, token.line());
  }

  private Expr subscribed() {
    int line = stream.current().line();
    Expr start = null;
    if (stream.current().isOperator(":")) {
      stream.next();
    } else {
      Expr node = expression();
      if (!stream.current().isOperator(":")) {
        return node;
      }
      stream.next();
      start = node;
    }
    Expr stop = null;
    if (!stream.current().isOperator(":")
        && !stream.current().isOperator("]")
        && !stream.current().isOperator(",")) {
      stop = expression();
    }
    Expr step = null;
    if (stream.skipOperator(":")
        && !stream.current().isOperator("]")
        && !stream.current().isOperator(",")) {
      step = expression();
    }
    return new Expr.Slice(start, stop, step, line);
  }

  Args callArgs() {
    int line = stream.expectOperator("(").line();
    List<Expr> positional = new ArrayList<>();
    List<String> names = new ArrayList<>();
    List<Expr> keywords = new ArrayList<>();
    boolean comma = false;
    while (!stream.current().isOperator(")")) {
      if (comma) {
        stream.expectOperator(",");
        if (stream.current().isOperator(")")) {
          break;
        }
      }
      if (stream.current().isOperator("*") || stream.current().isOperator("**")) {
        throw new UnsupportedConstructException("argument unpacking (* and **) in calls", line);
      }
      if (stream.current().kind() == Kind.NAME && stream.look().isOperator("=")) {
        names.add(stream.next().value());
        stream.next();
        keywords.add(expression());
      } else {
        if (!names.isEmpty()) {
          throw new TemplateException("invalid syntax for function call expression", line);
        }
        positional.add(expression());
      }
      comma = true;
    }
    stream.expectOperator(")");
    return new Args(positional, names, keywords);
  }

  /** One or more {@code | name(args)}; {@code value} null starts inline (a filter block). */
  Expr filters(Expr value, boolean startInline) {
    Expr result = value;
    boolean inline = startInline;
    while (stream.current().isOperator("|") || inline) {
      if (!inline) {
        stream.next();
      }
      Token name = stream.expect(Kind.NAME);
      if (stream.current().isOperator(".")) {
        throw new UnsupportedConstructException("dotted filter names", name.line());
      }
      if (!Filters.supports(name.value())) {
        throw new UnsupportedConstructException("filter '" + name.value() + "'", name.line());
      }
      Args args = stream.current().isOperator("(") ? callArgs() : Args.NONE;
      result = new Expr.Filter(result, name.value(), args, name.line());
      inline = false;
    }
    return result;
  }

  private Expr test(Expr value) {
    int line = stream.next().line();
    boolean negated = stream.skipName("not");
    Token name = stream.expect(Kind.NAME);
    if (!Tests.supports(name.value())) {
      throw new UnsupportedConstructException("test '" + name.value() + "'", name.line());
    }
    Args args = Args.NONE;
    Token current = stream.current();
    if (current.isOperator("(")) {
      args = callArgs();
    } else if ((current.kind() == Kind.NAME
            || current.kind() == Kind.STRING
            || current.kind() == Kind.INTEGER
            || current.kind() == Kind.FLOAT
            || current.isOperator("[")
            || current.isOperator("{"))
        && !current.isName("else")
        && !current.isName("or")
        && !current.isName("and")) {
      if (current.isName("is")) {
        throw new TemplateException("You cannot chain multiple tests with is", current.line());
      }
      args = new Args(List.of(postfix(primary(false))), List.of(), List.of());
    }
    Expr test = new Expr.Test(value, name.value(), args, line);
    return negated ? new Expr.Unary("not", test, line) : test;
  }
}
