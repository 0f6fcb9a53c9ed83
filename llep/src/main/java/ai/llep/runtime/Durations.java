package ai.llep.runtime;

import java.time.Duration;

/** Short human forms of durations for error messages: {@code 30s}, {@code 250ms}. */
final class Durations {
  private Durations() {}

  static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
  }
}
