package ai.llep.trainer.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

/**
 * The type a default value asks of whatever replaces it. A string default takes any scalar, because
 * HOCON reads a bare {@code 30} as a number and Typesafe's {@code getString} accepts it; an integer
 * default takes only whole numbers, because {@code getInt} would silently truncate. A list default
 * also takes one bare element ({@code verify.top-k=4} for {@code [4]}); commands read such keys as
 * a value or a list.
 *
 * @param type the default's type; {@code NULL} accepts anything
 * @param integral numbers must be whole (the default was written as an integer)
 * @param element for lists whose default elements share a type, that type (not checked below one
 *     level of nesting); else null
 */
record ValueType(ConfigValueType type, boolean integral, ValueType element) {

  static ValueType of(ConfigValue value) {
    if (value == null) {
      return new ValueType(ConfigValueType.NULL, false, null);
    }
    return switch (value.valueType()) {
      case NUMBER -> new ValueType(ConfigValueType.NUMBER, isIntegerLiteral(value), null);
      case LIST -> new ValueType(ConfigValueType.LIST, false, common((ConfigList) value));
      default -> new ValueType(value.valueType(), false, null);
    };
  }

  boolean accepts(ConfigValue actual) {
    if (type == ConfigValueType.NULL) {
      return true;
    }
    if (actual == null) {
      return false;
    }
    ConfigValueType actualType = actual.valueType();
    return switch (type) {
      case NUMBER -> actualType == ConfigValueType.NUMBER && (!integral || isWhole(actual));
      case STRING ->
          actualType == ConfigValueType.STRING
              || actualType == ConfigValueType.NUMBER
              || actualType == ConfigValueType.BOOLEAN;
      case LIST ->
          actualType == ConfigValueType.LIST
              ? element == null || ((ConfigList) actual).stream().allMatch(element::accepts)
              : actualType != ConfigValueType.OBJECT
                  && (element == null || element.accepts(actual));
      default -> actualType == type;
    };
  }

  /** With an article: "an integer", "a list of strings". */
  String describe() {
    return switch (type) {
      case NUMBER -> integral ? "an integer" : "a number";
      case BOOLEAN -> "a boolean";
      case STRING -> "a string";
      case OBJECT -> "an object";
      case LIST -> element == null ? "a list" : "a list of " + element.plural();
      case NULL -> "null";
    };
  }

  private String plural() {
    return switch (type) {
      case NUMBER -> integral ? "integers" : "numbers";
      case BOOLEAN -> "booleans";
      case STRING -> "strings";
      case OBJECT -> "objects";
      case LIST -> "lists";
      case NULL -> "nulls";
    };
  }

  private static ValueType common(ConfigList list) {
    if (list.isEmpty()) {
      return null;
    }
    ConfigValueType first = list.getFirst().valueType();
    if (first == ConfigValueType.NULL
        || !list.stream().allMatch(element -> element.valueType() == first)) {
      return null;
    }
    boolean integral = list.stream().allMatch(ValueType::isIntegerLiteral);
    return new ValueType(first, integral, null);
  }

  // Typesafe stores a whole 1.0 as an int; only its string conversion keeps the written text.
  private static boolean isIntegerLiteral(ConfigValue value) {
    boolean whole = value.unwrapped() instanceof Integer || value.unwrapped() instanceof Long;
    return whole && value.atKey("v").getString("v").matches("-?[0-9]+");
  }

  private static boolean isWhole(ConfigValue number) {
    return switch (number.unwrapped()) {
      case Integer i -> true;
      case Long l -> true;
      case Double d -> d == Math.rint(d) && !Double.isInfinite(d);
      default -> false;
    };
  }
}
