package ai.llep.trainer.report;

import ai.llep.trainer.tracking.MetricPoint;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/** Turning metric histories into plot data. */
final class Series {
  private Series() {}

  /**
   * The value at each step; where a step was logged more than once (a run resumed from a checkpoint
   * repeats steps) the value logged last wins.
   */
  static SortedMap<Long, Double> byStep(List<MetricPoint> points) {
    SortedMap<Long, Double> values = new TreeMap<>();
    for (MetricPoint point : points) {
      values.put(point.step(), point.value());
    }
    return values;
  }

  /** The mean of the finite values, or NaN if there are none. */
  static double mean(List<MetricPoint> points) {
    double sum = 0;
    int count = 0;
    for (double value : byStep(points).values()) {
      if (Double.isFinite(value)) {
        sum += value;
        count++;
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }
}
