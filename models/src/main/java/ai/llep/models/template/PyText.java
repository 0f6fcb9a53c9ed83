package ai.llep.models.template;

/**
 * Python's string rules where they differ from Java's: what counts as whitespace, stripping,
 * splitting, escape sequences in literals, and lengths and indices in code points (Python strings
 * index characters, not UTF-16 units).
 */
final class PyText {
  private PyText() {}

  /** Python's {@code str.isspace} for one character. */
  static boolean isSpace(int c) {
    if ((c >= 9 && c <= 13) || (c >= 28 && c <= 32) || c == 0x85) {
      return true;
    }
    int type = Character.getType(c);
    return type == Character.SPACE_SEPARATOR
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  private static boolean stripped(int c, String chars) {
    return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
  }

  static String lstrip(String s, String chars) {
    int i = 0;
    while (i < s.length()) {
      int c = s.codePointAt(i);
      if (!stripped(c, chars)) {
        break;
      }
      i += Character.charCount(c);
    }
    return s.substring(i);
  }

  static String rstrip(String s, String chars) {
    int i = s.length();
    while (i > 0) {
      int c = s.codePointBefore(i);
      if (!stripped(c, chars)) {
        break;
      }
      i -= Character.charCount(c);
    }
    return s.substring(0, i);
  }

  static String strip(String s, String chars) {
    return lstrip(rstrip(s, chars), chars);
  }

  static int length(String s) {
    return s.codePointCount(0, s.length());
  }

  /** The UTF-16 index of code point {@code index} ({@code 0 <= index <= length(s)}). */
  static int offset(String s, int index) {
    return s.offsetByCodePoints(0, index);
  }

  /**
   * Python's {@code str.split(sep, maxsplit)}; {@code sep == null} splits on runs of whitespace.
   */
  static java.util.List<Object> split(String s, String sep, long maxSplit) {
    java.util.List<Object> parts = new java.util.ArrayList<>();
    if (sep == null) {
      int i = 0;
      int n = s.length();
      while (true) {
        while (i < n && isSpace(s.charAt(i))) {
          i++;
        }
        if (i >= n) {
          return parts;
        }
        if (maxSplit >= 0 && parts.size() == maxSplit) {
          parts.add(rstrip(s.substring(i), null));
          return parts;
        }
        int j = i;
        while (j < n && !isSpace(s.charAt(j))) {
          j++;
        }
        parts.add(s.substring(i, j));
        i = j;
      }
    }
    if (sep.isEmpty()) {
      throw new TemplateException("split: empty separator", 0);
    }
    int start = 0;
    while (maxSplit < 0 || parts.size() < maxSplit) {
      int at = s.indexOf(sep, start);
      if (at < 0) {
        break;
      }
      parts.add(s.substring(start, at));
      start = at + sep.length();
    }
    parts.add(s.substring(start));
    return parts;
  }

  /** Decodes Python escape sequences in a string literal's body, as Jinja's lexer does. */
  static String unescape(String body, int line) {
    if (body.indexOf('\\') < 0) {
      return body;
    }
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 >= body.length()) {
        out.append(c);
        continue;
      }
      char e = body.charAt(++i);
      switch (e) {
        case '\n' -> {}
        case '\\', '\'', '"' -> out.append(e);
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'v' -> out.append('\u000b');
        case 'x' -> i = hex(body, i, 2, out, line);
        case 'u' -> i = hex(body, i, 4, out, line);
        case 'U' -> i = hex(body, i, 8, out, line);
        case 'N' -> throw new UnsupportedConstructException("the \\N{...} string escape", line);
        default -> {
          if (e >= '0' && e <= '7') {
            int end = i;
            while (end < body.length()
                && end < i + 3
                && body.charAt(end) >= '0'
                && body.charAt(end) <= '7') {
              end++;
            }
            out.appendCodePoint(Integer.parseInt(body.substring(i, end), 8));
            i = end - 1;
          } else {
            out.append('\\').append(e);
          }
        }
      }
    }
    return out.toString();
  }

  private static int hex(String body, int at, int digits, StringBuilder out, int line) {
    String hex = body.substring(at + 1, Math.min(body.length(), at + 1 + digits));
    if (hex.length() != digits || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
      throw new TemplateException(
          "truncated \\" + body.charAt(at) + " escape in a string literal", line);
    }
    out.appendCodePoint(Integer.parseInt(hex, 16));
    return at + digits;
  }
}
