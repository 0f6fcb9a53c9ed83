package ai.llep.models.template;

/**
 * One lexical token of a template.
 *
 * @param kind what the token is
 * @param value its text: template data, a name, an operator, a decoded string literal, a number's
 *     source text
 * @param line the template line it starts on (1-based)
 */
record Token(Kind kind, String value, int line) {
  enum Kind {
    DATA,
    BLOCK_BEGIN,
    BLOCK_END,
    VARIABLE_BEGIN,
    VARIABLE_END,
    NAME,
    STRING,
    INTEGER,
    FLOAT,
    OPERATOR,
    EOF
  }

  boolean is(Kind kind, String value) {
    return this.kind == kind && this.value.equals(value);
  }

  boolean isName(String name) {
    return is(Kind.NAME, name);
  }

  boolean isOperator(String operator) {
    return is(Kind.OPERATOR, operator);
  }

  String describe() {
    return switch (kind) {
      case EOF -> "end of template";
      case BLOCK_END -> "end of statement block";
      case VARIABLE_END -> "end of print statement";
      case STRING -> "string literal";
      default -> "'" + value + "'";
    };
  }
}
