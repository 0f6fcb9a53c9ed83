package ai.llep.models.template;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.time.temporal.ChronoField;
import java.util.Locale;

/** Python's {@code datetime.strftime} in the C locale, for {@code strftime_now(format)}. */
final class Strftime {
  private Strftime() {}

  static String format(LocalDateTime time, String format, int line) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if (c != '%' || i + 1 >= format.length()) {
        out.append(c);
        continue;
      }
      char code = format.charAt(++i);
      boolean unpadded = code == '-' && i + 1 < format.length();
      if (unpadded) {
        code = format.charAt(++i);
      }
      out.append(field(time, code, unpadded, line));
    }
    return out.toString();
  }

  private static String field(LocalDateTime t, char code, boolean unpadded, int line) {
    return switch (code) {
      case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
      case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
      case 'd' -> number(t.getDayOfMonth(), 2, unpadded);
      case 'e' -> String.format("%2d", t.getDayOfMonth());
      case 'm' -> number(t.getMonthValue(), 2, unpadded);
      case 'y' -> number(t.getYear() % 100, 2, unpadded);
      case 'Y' -> Integer.toString(t.getYear());
      case 'H' -> number(t.getHour(), 2, unpadded);
      case 'I' -> number(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, unpadded);
      case 'M' -> number(t.getMinute(), 2, unpadded);
      case 'S' -> number(t.getSecond(), 2, unpadded);
      case 'f' -> String.format("%06d", t.get(ChronoField.MICRO_OF_SECOND));
      case 'p' -> t.getHour() < 12 ? "AM" : "PM";
      case 'j' -> number(t.getDayOfYear(), 3, unpadded);
      case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
      case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
      case 'z', 'Z' -> "";
      case 'D' -> format(t, "%m/%d/%y", line);
      case 'F' -> format(t, "%Y-%m-%d", line);
      case 'T' -> format(t, "%H:%M:%S", line);
      case '%' -> "%";
      default -> throw new UnsupportedConstructException("the strftime code %" + code, line);
    };
  }

  private static String number(int value, int width, boolean unpadded) {
    return unpadded ? Integer.toString(value) : String.format("%0" + width + "d", value);
  }
}
