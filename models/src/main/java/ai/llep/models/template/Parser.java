package ai.llep.models.template;

import ai.llep.models.template.Token.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Statements: Jinja's tags as transformers enables them (with loop controls and generation). */
final class Parser extends ExprParser {
  private static final Set<String> UNSUPPORTED_TAGS =
      Set.of("block", "extends", "include", "import", "from", "autoescape", "raw", "call");

  private int loopDepth;

  private Parser(TokenStream stream) {
    super(stream);
  }

  static List<Stmt> parse(String template) {
    Parser parser = new Parser(new TokenStream(Lexer.tokenize(template)));
    List<Stmt> body = parser.subparse(Set.of());
    if (parser.stream.current().kind() != Kind.EOF) {
      Token token = parser.stream.current();
      throw new TemplateException("unexpected " + token.describe(), token.line());
    }
    return body;
  }

  /** Statements until EOF or a block whose tag name is one of {@code endNames} (not consumed). */
  private List<Stmt> subparse(Set<String> endNames) {
    List<Stmt> body = new ArrayList<>();
    while (true) {
      Token token = stream.current();
      switch (token.kind()) {
        case DATA -> {
          stream.next();
          body.add(new Stmt.Text(token.value(), token.line()));
        }
        case VARIABLE_BEGIN -> {
          stream.next();
          body.add(new Stmt.Print(tuple(false, true, Set.of(), false, false), token.line()));
          stream.expect(Kind.VARIABLE_END);
        }
        case BLOCK_BEGIN -> {
          stream.next();
          Token name = stream.current();
          if (name.kind() == Kind.NAME && endNames.contains(name.value())) {
            return body;
          }
          body.add(statement());
          stream.expect(Kind.BLOCK_END);
        }
        case EOF -> {
          return body;
        }
        default -> throw new TemplateException("unexpected " + token.describe(), token.line());
      }
    }
  }

  /** The body of a block statement, through the block whose name ends it. */
  private List<Stmt> statements(Set<String> endNames, boolean dropNeedle) {
    stream.skipOperator(":");
    stream.expect(Kind.BLOCK_END);
    List<Stmt> body = subparse(endNames);
    if (stream.current().kind() == Kind.EOF) {
      throw new TemplateException(
          "unexpected end of template, expected one of " + endNames, stream.current().line());
    }
    if (dropNeedle) {
      stream.next();
    }
    return body;
  }

  private Stmt statement() {
    Token token = stream.current();
    if (token.kind() != Kind.NAME) {
      throw new TemplateException("tag name expected", token.line());
    }
    String tag = token.value();
    if (UNSUPPORTED_TAGS.contains(tag)) {
      throw new UnsupportedConstructException("tag '" + tag + "'", token.line());
    }
    return switch (tag) {
      case "if" -> parseIf();
      case "for" -> parseFor();
      case "set" -> parseSet();
      case "macro" -> parseMacro();
      case "filter" -> parseFilterBlock();
      case "with" -> parseWith();
      case "print" -> parsePrint();
      case "generation" -> {
        stream.next();
        yield new Stmt.Generation(statements(Set.of("endgeneration"), true), token.line());
      }
      case "break", "continue" -> loopControl(token);
      default -> throw new TemplateException("unknown tag '" + tag + "'", token.line());
    };
  }

  private Stmt loopControl(Token token) {
    stream.next();
    if (loopDepth == 0) {
      throw new TemplateException("'" + token.value() + "' outside of a loop", token.line());
    }
    return token.value().equals("break")
        ? new Stmt.Break(token.line())
        : new Stmt.Continue(token.line());
  }

  private Stmt parseIf() {
    int line = stream.next().line();
    List<Expr> tests = new ArrayList<>();
    List<List<Stmt>> bodies = new ArrayList<>();
    List<Stmt> otherwise = List.of();
    while (true) {
      tests.add(tuple(false, false, Set.of(), false, false));
      bodies.add(statements(Set.of("elif", "else", "endif"), false));
      Token token = stream.next();
      if (token.isName("elif")) {
        continue;
      }
      if (token.isName("else")) {
        otherwise = statements(Set.of("endif"), true);
      }
      return new Stmt.If(tests, bodies, otherwise, line);
    }
  }

  private Stmt parseFor() {
    int line = stream.next().line();
    Expr target = tuple(true, true, Set.of("in"), false, false);
    stream.expectName("in");
    Expr iterable = tuple(false, false, Set.of("recursive"), false, false);
    Expr filter = stream.skipName("if") ? expression() : null;
    if (stream.current().isName("recursive")) {
      throw new UnsupportedConstructException("recursive for loops", stream.current().line());
    }
    loopDepth++;
    List<Stmt> body = statements(Set.of("endfor", "else"), false);
    loopDepth--;
    List<Stmt> otherwise = List.of();
    if (stream.next().isName("else")) {
      otherwise = statements(Set.of("endfor"), true);
    }
    return new Stmt.For(
        names(target), target instanceof Expr.TupleExpr, iterable, filter, body, otherwise, line);
  }

  private Stmt parseSet() {
    int line = stream.next().line();
    Expr target = tuple(true, true, Set.of(), false, true);
    String namespaceAttr = null;
    List<String> names;
    if (target instanceof Expr.Attribute ref) {
      namespaceAttr = ref.name();
      names = List.of(((Expr.Name) ref.target()).name());
    } else {
      names = names(target);
    }
    if (stream.skipOperator("=")) {
      Expr value = tuple(false, true, Set.of(), false, false);
      return new Stmt.Set(names, target instanceof Expr.TupleExpr, namespaceAttr, value, line);
    }
    if (target instanceof Expr.TupleExpr) {
      throw new TemplateException("a block set assigns one name", line);
    }
    Expr filter = stream.current().isOperator("|") ? filters(null, false) : null;
    List<Stmt> body = statements(Set.of("endset"), true);
    return new Stmt.SetBlock(names.getFirst(), namespaceAttr, filter, body, line);
  }

  private static List<String> names(Expr target) {
    List<Expr> items = target instanceof Expr.TupleExpr tuple ? tuple.items() : List.of(target);
    List<String> names = new ArrayList<>();
    for (Expr item : items) {
      if (!(item instanceof Expr.Name name)) {
        throw new TemplateException("can't assign to this target", item.line());
      }
      names.add(name.name());
    }
    return names;
  }

  private Stmt parseMacro() {
    int line = stream.next().line();
    String name = stream.expect(Kind.NAME).value();
    List<String> params = new ArrayList<>();
    List<Expr> defaults = new ArrayList<>();
    signature(params, defaults);
    int outerLoops = loopDepth;
    loopDepth = 0;
    List<Stmt> body = statements(Set.of("endmacro"), true);
    loopDepth = outerLoops;
    return new Stmt.Macro(name, params, defaults, body, line);
  }

  private void signature(List<String> params, List<Expr> defaults) {
    stream.expectOperator("(");
    while (!stream.current().isOperator(")")) {
      if (!params.isEmpty()) {
        stream.expectOperator(",");
      }
      Token param = stream.expect(Kind.NAME);
      if (stream.skipOperator("=")) {
        defaults.add(expression());
      } else if (!defaults.isEmpty()) {
        throw new TemplateException("non-default argument follows default argument", param.line());
      }
      params.add(param.value());
    }
    stream.expectOperator(")");
  }

  private Stmt parseFilterBlock() {
    int line = stream.next().line();
    Expr filter = filters(null, true);
    return new Stmt.FilterBlock(filter, statements(Set.of("endfilter"), true), line);
  }

  private Stmt parseWith() {
    int line = stream.next().line();
    List<String> names = new ArrayList<>();
    List<Expr> values = new ArrayList<>();
    while (stream.current().kind() != Kind.BLOCK_END) {
      if (!names.isEmpty()) {
        stream.expectOperator(",");
      }
      names.add(stream.expect(Kind.NAME).value());
      stream.expectOperator("=");
      values.add(expression());
    }
    return new Stmt.With(names, values, statements(Set.of("endwith"), true), line);
  }

  private Stmt parsePrint() {
    int line = stream.next().line();
    List<Expr> parts = new ArrayList<>();
    while (stream.current().kind() != Kind.BLOCK_END) {
      if (!parts.isEmpty()) {
        stream.expectOperator(",");
      }
      parts.add(expression());
    }
    return switch (parts.size()) {
      case 0 -> new Stmt.Text("", line);
      case 1 -> new Stmt.Print(parts.getFirst(), line);
      default -> new Stmt.Print(new Expr.Concat(parts, line), line);
    };
  }
}
