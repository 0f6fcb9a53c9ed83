package ai.llep.trainer.report;

import ai.llep.trainer.tracking.MetricPoint;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

/**
 * Tokens routed to each expert of one MoE layer over the steps: experts down, steps across. Long
 * runs are averaged into at most {@link #MAX_COLUMNS} columns of consecutive steps, each labelled
 * with its first step.
 */
final class ExpertLoadHeatmap {
  static final int MAX_COLUMNS = 60;
  private static final Color[] RANGE = {
    new Color(0xf7fbff), new Color(0x6baed6), new Color(0x08519c), new Color(0xcb181d)
  };

  private ExpertLoadHeatmap() {}

  static HeatMapChart chart(
      int layer, SortedMap<Integer, List<MetricPoint>> experts, int width, int height) {
    List<SortedMap<Long, Double>> rows = new ArrayList<>();
    SortedSet<Long> allSteps = new TreeSet<>();
    for (List<MetricPoint> points : experts.values()) {
      SortedMap<Long, Double> byStep = Series.byStep(points);
      rows.add(byStep);
      allSteps.addAll(byStep.keySet());
    }
    List<List<Long>> columns = columns(new ArrayList<>(allSteps));
    List<Long> columnLabels = columns.stream().map(List::getFirst).toList();
    List<Number[]> cells = new ArrayList<>();
    double max = 0;
    for (int row = 0; row < rows.size(); row++) {
      for (int column = 0; column < columns.size(); column++) {
        double mean = mean(rows.get(row), columns.get(column));
        if (!Double.isNaN(mean)) {
          cells.add(new Number[] {column, row, mean});
          max = Math.max(max, mean);
        }
      }
    }
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(width)
            .height(height)
            .title("Expert load, layer " + layer + " (tokens per step)")
            .xAxisTitle("step")
            .yAxisTitle("expert")
            .build();
    ChartStyle.apply(chart);
    chart.getStyler().setRangeColors(RANGE);
    chart.getStyler().setShowValue(false);
    chart.getStyler().setMin(0);
    chart.getStyler().setMax(max > 0 ? max : 1);
    chart.getStyler().setXAxisLabelRotation(90);
    chart.getStyler().setHeatMapValueDecimalPattern("#");
    chart.addSeries("load", columnLabels, new ArrayList<>(experts.keySet()), cells);
    return chart;
  }

  /** Consecutive groups of steps, at most {@link #MAX_COLUMNS} of them, as even as possible. */
  static List<List<Long>> columns(List<Long> steps) {
    int count = Math.min(MAX_COLUMNS, steps.size());
    List<List<Long>> columns = new ArrayList<>(count);
    for (int c = 0; c < count; c++) {
      columns.add(steps.subList(c * steps.size() / count, (c + 1) * steps.size() / count));
    }
    return columns;
  }

  private static double mean(Map<Long, Double> values, List<Long> steps) {
    double sum = 0;
    int count = 0;
    for (long step : steps) {
      Double value = values.get(step);
      if (value != null && Double.isFinite(value)) {
        sum += value;
        count++;
      }
    }
    return count == 0 ? Double.NaN : sum / count;
  }
}
