package ai.llep.trainer.routing;

import java.util.Locale;

/**
 * A synthetic routing, as written in configs: {@code balanced}, {@code R:H} (R% of tokens hot on H
 * experts, R an integer, the paper's generator), {@code zipf:S} (Zipf popularity with exponent S, a
 * different expert order on each rank) or {@code single:E} (every token's first choice is expert
 * E).
 */
public sealed interface RoutingScenario {
  record Balanced() implements RoutingScenario {}

  record Hot(int percent, int hotExperts) implements RoutingScenario {
    public Hot {
      if (percent < 0 || percent > 100) {
        throw new IllegalArgumentException("hot percentage must be in [0, 100], got " + percent);
      }
      if (hotExperts < 1) {
        throw new IllegalArgumentException("number of hot experts must be >= 1, got " + hotExperts);
      }
    }
  }

  record Zipf(double exponent) implements RoutingScenario {
    public Zipf {
      if (!(exponent > 0)) {
        throw new IllegalArgumentException("zipf exponent must be > 0, got " + exponent);
      }
    }
  }

  record Single(int expert) implements RoutingScenario {
    public Single {
      if (expert < 0) {
        throw new IllegalArgumentException("single expert must be >= 0, got " + expert);
      }
    }
  }

  /** Parses the config text; the error names the accepted forms. */
  static RoutingScenario parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.equals("balanced")) {
        return new Balanced();
      }
      if (t.startsWith("zipf:")) {
        return new Zipf(Double.parseDouble(t.substring(5)));
      }
      if (t.startsWith("single:")) {
        return new Single(Integer.parseInt(t.substring(7)));
      }
      int colon = t.indexOf(':');
      if (colon > 0) {
        return new Hot(
            Integer.parseInt(t.substring(0, colon)), Integer.parseInt(t.substring(colon + 1)));
      }
    } catch (NumberFormatException e) {
      // falls through to the error below, which lists the accepted forms
    }
    throw new IllegalArgumentException(
        "unknown routing scenario '"
            + text
            + "': use balanced, R:H (e.g. 95:1), zipf:S (e.g. zipf:1.2) or single:E");
  }

  /** The canonical text of this scenario. */
  default String label() {
    return switch (this) {
      case Balanced b -> "balanced";
      case Hot h -> h.percent() + ":" + h.hotExperts();
      case Zipf z -> "zipf:" + trim(z.exponent());
      case Single s -> "single:" + s.expert();
    };
  }

  private static String trim(double value) {
    return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
  }
}
