package ai.llep.trainer.train;

import java.util.Locale;

/** How the console writes counts, sizes and durations. */
final class Figures {
  private Figures() {}

  /** A rate or count with three significant digits: 950, 8.21k, 1.30M. */
  static String count(double value) {
    double abs = Math.abs(value);
    if (abs >= 1e6) {
      return String.format(Locale.ROOT, "%.2fM", value / 1e6);
    }
    if (abs >= 1e4) {
      return String.format(Locale.ROOT, "%.1fk", value / 1e3);
    }
    if (abs >= 1e3) {
      return String.format(Locale.ROOT, "%.2fk", value / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", value);
  }

  /** Bytes in GiB with two decimals, or MiB below one GiB. */
  static String bytes(long bytes) {
    double gib = bytes / (double) (1L << 30);
    return gib >= 1
        ? String.format(Locale.ROOT, "%.2f GiB", gib)
        : String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1L << 20));
  }

  /** m:ss, or h:mm:ss from an hour on. */
  static String duration(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
