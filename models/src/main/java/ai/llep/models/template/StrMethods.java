package ai.llep.models.template;

import java.util.ArrayList;
import java.util.List;

/** Python string methods, with Python's whitespace, case and code-point rules. */
final class StrMethods {
  private StrMethods() {}

  static Object call(String s, String name, Arguments args) {
    return switch (name) {
      case "startswith", "endswith" -> affix(s, name.equals("startswith"), args);
      case "strip" -> PyText.strip(s, args.accept("chars").optionalString(0, "chars"));
      case "lstrip" -> PyText.lstrip(s, args.accept("chars").optionalString(0, "chars"));
      case "rstrip" -> PyText.rstrip(s, args.accept("chars").optionalString(0, "chars"));
      case "split" -> {
        args.accept("sep", "maxsplit");
        yield PyText.split(s, args.optionalString(0, "sep"), args.integer(1, "maxsplit", -1));
      }
      case "rsplit" -> rsplit(s, args.accept("sep", "maxsplit"));
      case "replace" -> replace(s, args.accept("old", "new", "count"));
      case "upper" -> noArgs(args, s.toUpperCase(java.util.Locale.ROOT));
      case "lower" -> noArgs(args, s.toLowerCase(java.util.Locale.ROOT));
      case "title" -> noArgs(args, title(s));
      case "capitalize" -> noArgs(args, capitalize(s));
      case "find", "rfind" -> find(s, name.equals("find"), args.accept("sub"));
      case "count" -> count(s, args.accept("sub").string(0, "sub"));
      case "join" -> join(s, args.accept("iterable").required(0, "iterable"), args.line());
      case "splitlines" -> noArgs(args, splitLines(s));
      case "removeprefix" -> {
        String prefix = args.accept("prefix").string(0, "prefix");
        yield s.startsWith(prefix) ? s.substring(prefix.length()) : s;
      }
      case "removesuffix" -> {
        String suffix = args.accept("suffix").string(0, "suffix");
        yield s.endsWith(suffix) && !suffix.isEmpty()
            ? s.substring(0, s.length() - suffix.length())
            : s;
      }
      case "isdigit" -> noArgs(args, !s.isEmpty() && s.codePoints().allMatch(Character::isDigit));
      case "isalpha" -> noArgs(args, !s.isEmpty() && s.codePoints().allMatch(Character::isLetter));
      case "isalnum" ->
          noArgs(args, !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit));
      case "isspace" -> noArgs(args, !s.isEmpty() && s.codePoints().allMatch(PyText::isSpace));
      case "isupper" -> noArgs(args, cased(s, true));
      case "islower" -> noArgs(args, cased(s, false));
      default ->
          throw new UnsupportedConstructException("the string method " + name + "()", args.line());
    };
  }

  private static Object noArgs(Arguments args, Object result) {
    args.none();
    return result;
  }

  private static Object affix(String s, boolean start, Arguments args) {
    args.accept("prefix", "start", "end");
    Object affix = args.required(0, "prefix");
    if (args.has(1, "start")) {
      throw new UnsupportedConstructException(
          "start/end arguments of startswith/endswith", args.line());
    }
    List<Object> options = affix instanceof PyTuple t ? t.items() : List.of(affix);
    for (Object option : options) {
      if (!(option instanceof String text)) {
        throw new TemplateException(
            (start ? "startswith" : "endswith")
                + " first arg must be str or a tuple of str, not "
                + Py.typeName(option),
            args.line());
      }
      if (start ? s.startsWith(text) : s.endsWith(text)) {
        return true;
      }
    }
    return false;
  }

  private static Object rsplit(String s, Arguments args) {
    String sep = args.optionalString(0, "sep");
    long max = args.integer(1, "maxsplit", -1);
    if (max < 0) {
      return PyText.split(s, sep, -1);
    }
    if (sep == null) {
      throw new UnsupportedConstructException("rsplit() on whitespace with maxsplit", args.line());
    }
    List<Object> parts = new ArrayList<>();
    int end = s.length();
    while (parts.size() < max) {
      int at = s.lastIndexOf(sep, end - sep.length());
      if (at < 0 || end - sep.length() < 0) {
        break;
      }
      parts.addFirst(s.substring(at + sep.length(), end));
      end = at;
    }
    parts.addFirst(s.substring(0, end));
    return parts;
  }

  private static Object replace(String s, Arguments args) {
    String old = args.string(0, "old");
    String replacement = args.string(1, "new");
    long count = args.integer(2, "count", -1);
    if (count < 0) {
      return old.isEmpty() ? insertEverywhere(s, replacement) : s.replace(old, replacement);
    }
    StringBuilder out = new StringBuilder();
    int from = 0;
    for (long n = 0; n < count; n++) {
      int at = s.indexOf(old, from);
      if (at < 0 || old.isEmpty()) {
        if (old.isEmpty()) {
          throw new UnsupportedConstructException("replace('', x, count)", args.line());
        }
        break;
      }
      out.append(s, from, at).append(replacement);
      from = at + old.length();
    }
    return out.append(s.substring(from)).toString();
  }

  private static String insertEverywhere(String s, String insert) {
    StringBuilder out = new StringBuilder(insert);
    s.codePoints().forEach(c -> out.appendCodePoint(c).append(insert));
    return out.toString();
  }

  /** Python's {@code str.title()}: upper case after an uncased character, lower case after. */
  static String title(String s) {
    StringBuilder out = new StringBuilder(s.length());
    boolean previousCased = false;
    for (int i = 0; i < s.length(); ) {
      int c = s.codePointAt(i);
      out.appendCodePoint(previousCased ? Character.toLowerCase(c) : Character.toTitleCase(c));
      previousCased =
          Character.isUpperCase(c) || Character.isLowerCase(c) || Character.isTitleCase(c);
      i += Character.charCount(c);
    }
    return out.toString();
  }

  static String capitalize(String s) {
    if (s.isEmpty()) {
      return s;
    }
    int first = s.codePointAt(0);
    return new StringBuilder()
        .appendCodePoint(Character.toTitleCase(first))
        .append(s.substring(Character.charCount(first)).toLowerCase(java.util.Locale.ROOT))
        .toString();
  }

  private static Object find(String s, boolean first, Arguments args) {
    String sub = args.string(0, "sub");
    int at = first ? s.indexOf(sub) : s.lastIndexOf(sub);
    return at < 0 ? -1L : (long) s.codePointCount(0, at);
  }

  private static Object count(String s, String sub) {
    if (sub.isEmpty()) {
      return (long) PyText.length(s) + 1;
    }
    long n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static Object join(String separator, Object iterable, int line) {
    List<String> parts = new ArrayList<>();
    for (Object item : Operators.iterate(iterable, line)) {
      if (!(item instanceof String text)) {
        throw new TemplateException(
            "sequence item "
                + parts.size()
                + ": expected str instance, "
                + Py.typeName(item)
                + " found",
            line);
      }
      parts.add(text);
    }
    return String.join(separator, parts);
  }

  private static List<Object> splitLines(String s) {
    List<Object> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\n'
          || c == '\r'
          || c == '\u000b'
          || c == '\f'
          || c == 0x1c
          || c == 0x1d
          || c == 0x1e
          || c == 0x85
          || c == '\u2028'
          || c == '\u2029') {
        lines.add(s.substring(start, i));
        if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < s.length()) {
      lines.add(s.substring(start));
    }
    return lines;
  }

  private static boolean cased(String s, boolean upper) {
    boolean any = false;
    for (int c : s.codePoints().toArray()) {
      if (upper
          ? Character.isLowerCase(c) || Character.isTitleCase(c)
          : Character.isUpperCase(c) || Character.isTitleCase(c)) {
        return false;
      }
      any |= Character.isUpperCase(c) || Character.isLowerCase(c);
    }
    return any;
  }
}
