package ai.llep.models.template;

import ai.llep.models.template.Expr.Args;
import ai.llep.models.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * What follows a primary expression in Jinja's grammar: attribute and item access, slices, calls,
 * filters ({@code | name(args)}) and tests ({@code is name args}).
 */
abstract class TrailerParser {
  final TokenStream stream;

  TrailerParser(TokenStream stream) {
    this.stream = stream;
  }

  abstract Expr expression();

  abstract Expr primary(boolean withNamespace);

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

  Expr filterExpr(Expr node) {
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
      return new Expr.Item(
          target, new Expr.Literal(ExprParser.integer(attr), attr.line()), token.line());
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
