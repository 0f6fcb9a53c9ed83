package ai.llep.trainer.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The steps one launch ran, for the line printed when it ends: the median step time after the
 * warm-up (the first fifth of the steps, at most {@value #MAX_WARMUP}: the JIT compiler and the
 * allocators settle there), the token rates over the same steps, and the peak memory.
 */
final class RunSummary {
  static final int MAX_WARMUP = 10;

  private final List<StepReport> steps = new ArrayList<>();

  void add(StepReport report) {
    steps.add(report);
  }

  /** Steps counted as warm-up out of {@code count}. */
  static int warmup(int count) {
    return Math.min(MAX_WARMUP, count / 5);
  }

  /** One line, or a short note when no step ran. */
  String line(String memoryLabel) {
    if (steps.isEmpty()) {
      return "summary: no step ran";
    }
    int warmup = warmup(steps.size());
    List<StepReport> timed = steps.subList(warmup, steps.size());
    double[] seconds = timed.stream().mapToDouble(StepReport::seconds).toArray();
    double total = Arrays.stream(seconds).sum();
    long processed = timed.stream().mapToLong(StepReport::processedTokens).sum();
    long loss = timed.stream().mapToLong(StepReport::lossTokens).sum();
    double wall = steps.stream().mapToDouble(StepReport::seconds).sum();
    StepReport last = steps.getLast();
    return String.format(
        Locale.ROOT,
        "summary: steps %d-%d (%d) in %s | median %.3f s/step after %d warm-up step%s"
            + " | processed %s tok/s | loss %s tok/s | peak %s %s",
        steps.getFirst().step(),
        last.step(),
        steps.size(),
        Figures.duration(wall),
        median(seconds),
        warmup,
        warmup == 1 ? "" : "s",
        Figures.count(processed / total),
        Figures.count(loss / total),
        memoryLabel,
        Figures.bytes(last.peakMemoryBytes()));
  }

  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
