package ai.llep.models.template;

import ai.llep.models.template.Token.Kind;
import java.util.List;

/** The parser's cursor over the lexer's tokens. */
final class TokenStream {
  private final List<Token> tokens;
  private int index;

  TokenStream(List<Token> tokens) {
    this.tokens = tokens;
  }

  Token current() {
    return tokens.get(index);
  }

  Token look() {
    return tokens.get(Math.min(index + 1, tokens.size() - 1));
  }

  Token next() {
    Token token = tokens.get(index);
    if (token.kind() != Kind.EOF) {
      index++;
    }
    return token;
  }

  boolean skipName(String name) {
    if (current().isName(name)) {
      next();
      return true;
    }
    return false;
  }

  boolean skipOperator(String operator) {
    if (current().isOperator(operator)) {
      next();
      return true;
    }
    return false;
  }

  Token expect(Kind kind) {
    Token token = current();
    if (token.kind() != kind) {
      throw new TemplateException(
          "expected " + kind.name().toLowerCase().replace('_', ' ') + ", got " + token.describe(),
          token.line());
    }
    return next();
  }

  Token expectOperator(String operator) {
    Token token = current();
    if (!token.isOperator(operator)) {
      throw new TemplateException(
          "expected '" + operator + "', got " + token.describe(), token.line());
    }
    return next();
  }

  Token expectName(String name) {
    Token token = current();
    if (!token.isName(name)) {
      throw new TemplateException("expected '" + name + "', got " + token.describe(), token.line());
    }
    return next();
  }
}
