package ai.llep.trainer.tracking;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats a double as Python's {@code repr(float)} does, which is how MLflow's file store writes
 * metric values: the shortest digits that read back exactly, positional notation for decimal
 * exponents from -4 to 15 ({@code 0.0001}, {@code 3.0}), scientific outside ({@code 1e-05}, {@code
 * 1.5e+16}), and {@code nan}, {@code inf}, {@code -inf}.
 */
final class PythonFloat {
  private PythonFloat() {}

  static String repr(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0) {
      return Double.doubleToRawLongBits(value) < 0 ? "-0.0" : "0.0";
    }
    // Since JDK 19 Double.toString gives the shortest digits that round-trip, as Python's repr.
    BigDecimal decimal = new BigDecimal(Double.toString(Math.abs(value))).stripTrailingZeros();
    if (decimal.precision() == 2) {
      // Java prints at least two digits and then picks the closer two-digit decimal, where
      // Python prints one digit when one reads back exactly (only among subnormals: 5e-324).
      BigDecimal oneDigit = decimal.round(new MathContext(1, RoundingMode.HALF_EVEN));
      if (oneDigit.doubleValue() == Math.abs(value)) {
        decimal = oneDigit.stripTrailingZeros();
      }
    }
    String digits = decimal.unscaledValue().toString();
    int exponent = digits.length() - 1 - decimal.scale();
    String sign = value < 0 ? "-" : "";
    if (exponent >= -4 && exponent < 16) {
      if (decimal.scale() <= 0) {
        return sign + decimal.toPlainString() + ".0";
      }
      return sign + decimal.toPlainString();
    }
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    String exponentSign = exponent < 0 ? "-" : "+";
    int magnitude = Math.abs(exponent);
    return sign + mantissa + "e" + exponentSign + (magnitude < 10 ? "0" : "") + magnitude;
  }

  /** Reads a value written by {@link #repr} or by Python, including {@code nan} and {@code inf}. */
  static double parse(String text) {
    return switch (text) {
      case "nan", "NaN" -> Double.NaN;
      case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(text);
    };
  }
}
