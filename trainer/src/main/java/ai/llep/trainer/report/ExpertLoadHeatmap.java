package ai.llep.trainer.report;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
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

  static HeatMapChart chart(LoadHistory.LayerView layer, int width, int height) {
    double[][] means = layer.expertMeans();
    List<Number[]> cells = new ArrayList<>();
    double max = 0;
    for (int expert = 0; expert < means.length; expert++) {
      for (int column = 0; column < means[expert].length; column++) {
        double mean = means[expert][column];
        if (Double.isFinite(mean)) {
          cells.add(new Number[] {column, expert, mean});
          max = Math.max(max, mean);
        }
      }
    }
    HeatMapChart chart =
        new HeatMapChartBuilder()
            .width(width)
            .height(height)
            .title("Expert load, layer " + layer.layer() + " (tokens per step)")
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
    chart.addSeries(
        "load", layer.columns(), IntStream.range(0, means.length).boxed().toList(), cells);
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
}
