package ai.llep.models.template;

import ai.llep.models.template.Token.Kind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a template into tokens exactly as Jinja's lexer does with the settings Hugging Face chat
 * templates are rendered with ({@code trim_blocks} and {@code lstrip_blocks} on, trailing newline
 * dropped): {@code -} strips all whitespace on that side of a tag; {@code +} keeps it; a block or
 * comment tag removes the spaces before it when only they stand between it and the start of its
 * line, and the one newline right after it. Comments are dropped.
 */
final class Lexer {
  private static final Pattern FLOAT =
      Pattern.compile(
          "(?<!\\.)(\\d+_)*\\d+((\\.(\\d+_)*\\d+)?[eE][+\\-]?(\\d+_)*\\d+|\\.(\\d+_)*\\d+)");
  private static final Pattern INTEGER =
      Pattern.compile(
          "(0[bB](_?[01])+|0[oO](_?[0-7])+|0[xX](_?[\\da-fA-F])+|[1-9](_?\\d)*|0(_?0)*)");
  private static final Pattern NAME = Pattern.compile("(?U)\\w+");
  private static final Pattern STRING =
      Pattern.compile(
          "('([^'\\\\]*(?:\\\\.[^'\\\\]*)*)'|\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\")", 32);
  private static final String[] OPERATORS = {
    "**", "//", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]", "(", ")", "{", "}",
    ">", "<", "=", ".", ":", "|", ",", ";"
  };

  private final String source;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;
  private int line = 1;
  private boolean lineStarting = true;

  private Lexer(String source) {
    this.source = source;
  }

  static List<Token> tokenize(String template) {
    String source = template.replace("\r\n", "\n").replace('\r', '\n');
    if (source.endsWith("\n")) {
      source = source.substring(0, source.length() - 1);
    }
    Lexer lexer = new Lexer(source);
    lexer.run();
    lexer.tokens.add(new Token(Kind.EOF, "", lexer.line));
    return lexer.tokens;
  }

  private void run() {
    while (pos < source.length()) {
      int tag = nextTagStart();
      if (tag < 0) {
        tokens.add(new Token(Kind.DATA, source.substring(pos), line));
        return;
      }
      char type = source.charAt(tag + 1);
      char sign = tag + 2 < source.length() ? source.charAt(tag + 2) : 0;
      boolean signed = sign == '-' || sign == '+';
      String text = leadingData(source.substring(pos, tag), type, signed ? sign : 0);
      if (!text.isEmpty()) {
        tokens.add(new Token(Kind.DATA, text, line));
      }
      line += newlines(source, pos, tag);
      pos = tag + 2 + (signed ? 1 : 0);
      lineStarting = false;
      switch (type) {
        case '#' -> comment();
        case '%' -> {
          rejectRaw();
          tokens.add(new Token(Kind.BLOCK_BEGIN, "{%", line));
          tag(true);
        }
        default -> {
          tokens.add(new Token(Kind.VARIABLE_BEGIN, "{{", line));
          tag(false);
        }
      }
    }
  }

  private int nextTagStart() {
    for (int i = source.indexOf('{', pos); i >= 0 && i + 1 < source.length(); ) {
      char next = source.charAt(i + 1);
      if (next == '{' || next == '%' || next == '#') {
        return i;
      }
      i = source.indexOf('{', i + 1);
    }
    return -1;
  }

  /** The data before a tag, after that tag's whitespace control. */
  private String leadingData(String text, char type, char sign) {
    if (sign == '-') {
      return PyText.rstrip(text, null);
    }
    if (sign != '+' && type != '{') {
      int lineStart = text.lastIndexOf('\n') + 1;
      if ((lineStart > 0 || lineStarting) && lineStart < text.length()) {
        boolean blank = true;
        for (int i = lineStart; i < text.length() && blank; i++) {
          blank = PyText.isSpace(text.charAt(i));
        }
        if (blank) {
          return text.substring(0, lineStart);
        }
      }
    }
    return text;
  }

  private void comment() {
    int end = source.indexOf("#}", pos);
    if (end < 0) {
      throw new TemplateException("missing end of comment tag", line);
    }
    char before = end > pos ? source.charAt(end - 1) : 0;
    int close = end + 2;
    if (before == '-') {
      close = skipSpace(close);
    } else if (before != '+' && close < source.length() && source.charAt(close) == '\n') {
      close++;
    }
    line += newlines(source, pos, close);
    lineStarting = close > 0 && source.charAt(close - 1) == '\n';
    pos = close;
  }

  private void rejectRaw() {
    Matcher raw =
        Pattern.compile("\\s*raw\\s*[-+]?%}").matcher(source).region(pos, source.length());
    if (raw.lookingAt()) {
      throw new UnsupportedConstructException("tag 'raw'", line);
    }
  }

  /** The tokens of a block or print tag, through its end. */
  private void tag(boolean block) {
    Deque<Character> balance = new ArrayDeque<>();
    while (true) {
      if (pos >= source.length()) {
        throw new TemplateException(
            "unexpected end of template, expected the end of a "
                + (block ? "block" : "print")
                + " tag",
            line);
      }
      if (balance.isEmpty() && tagEnd(block)) {
        return;
      }
      char c = source.charAt(pos);
      if (PyText.isSpace(c)) {
        if (c == '\n') {
          line++;
        }
        pos++;
        continue;
      }
      if (!literal()) {
        operator(balance);
      }
    }
  }

  private boolean tagEnd(boolean block) {
    String close = block ? "%}" : "}}";
    Kind kind = block ? Kind.BLOCK_END : Kind.VARIABLE_END;
    if (source.startsWith("-" + close, pos)) {
      tokens.add(new Token(kind, close, line));
      int end = skipSpace(pos + 3);
      line += newlines(source, pos, end);
      finishTag(end);
      return true;
    }
    if (block && source.startsWith("+" + close, pos)) {
      tokens.add(new Token(kind, close, line));
      finishTag(pos + 3);
      return true;
    }
    if (source.startsWith(close, pos)) {
      tokens.add(new Token(kind, close, line));
      int end = pos + 2;
      if (block && end < source.length() && source.charAt(end) == '\n') {
        end++;
        line++;
      }
      finishTag(end);
      return true;
    }
    return false;
  }

  private void finishTag(int end) {
    lineStarting = source.charAt(end - 1) == '\n';
    pos = end;
  }

  private boolean literal() {
    for (Object[] rule :
        new Object[][] {
          {FLOAT, Kind.FLOAT}, {INTEGER, Kind.INTEGER}, {NAME, Kind.NAME}, {STRING, Kind.STRING}
        }) {
      Matcher m = ((Pattern) rule[0]).matcher(source).region(pos, source.length());
      m.useTransparentBounds(true);
      if (m.lookingAt()) {
        Kind kind = (Kind) rule[1];
        String text = m.group();
        String value =
            kind == Kind.STRING
                ? PyText.unescape(text.substring(1, text.length() - 1), line)
                : text;
        tokens.add(new Token(kind, value, line));
        line += newlines(text, 0, text.length());
        pos = m.end();
        return true;
      }
    }
    return false;
  }

  private void operator(Deque<Character> balance) {
    for (String op : OPERATORS) {
      if (source.startsWith(op, pos)) {
        char c = op.charAt(0);
        if (op.length() == 1 && (c == '(' || c == '[' || c == '{')) {
          balance.push(c == '(' ? ')' : c == '[' ? ']' : '}');
        } else if (op.length() == 1 && (c == ')' || c == ']' || c == '}')) {
          if (balance.isEmpty()) {
            throw new TemplateException("unexpected '" + c + "'", line);
          }
          char expected = balance.pop();
          if (expected != c) {
            throw new TemplateException(
                "unexpected '" + c + "', expected '" + expected + "'", line);
          }
        }
        tokens.add(new Token(Kind.OPERATOR, op, line));
        pos += op.length();
        return;
      }
    }
    throw new TemplateException("unexpected char '" + source.charAt(pos) + "'", line);
  }

  private int skipSpace(int from) {
    int i = from;
    while (i < source.length() && PyText.isSpace(source.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int newlines(String text, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (text.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
