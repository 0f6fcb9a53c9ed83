package ai.llep.models.template;

import ai.llep.models.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Expressions, with Jinja's grammar and precedence (its {@code parser.py}, rule for rule). */
class ExprParser extends TrailerParser {
  private static final Set<String> COMPARE = Set.of("==", "!=", "<", "<=", ">", ">=");

  ExprParser(TokenStream stream) {
    super(stream);
  }

  @Override
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

  @Override
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

  static Long integer(Token token) {
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
}
