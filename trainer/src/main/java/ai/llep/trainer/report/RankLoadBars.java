package ai.llep.trainer.report;

import ai.llep.trainer.tracking.MetricPoint;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeSet;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Mean tokens each rank computed per step in one MoE layer, before LLEP's planning (the load
 * standard expert parallelism would give) and after it, side by side.
 */
final class RankLoadBars {
  static final String BEFORE = "before LLEP";
  static final String AFTER = "after LLEP";

  private RankLoadBars() {}

  static CategoryChart chart(
      int layer,
      SortedMap<Integer, List<MetricPoint>> before,
      SortedMap<Integer, List<MetricPoint>> after,
      int width,
      int height) {
    TreeSet<Integer> ranks = new TreeSet<>(before.keySet());
    ranks.addAll(after.keySet());
    List<String> labels = ranks.stream().map(String::valueOf).toList();
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(width)
            .height(height)
            .title("Load per rank, layer " + layer + " (mean tokens per step)")
            .xAxisTitle("rank")
            .yAxisTitle("tokens")
            .build();
    ChartStyle.apply(chart);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setOverlapped(false);
    if (!before.isEmpty()) {
      chart.addSeries(BEFORE, labels, means(ranks, before));
    }
    if (!after.isEmpty()) {
      chart.addSeries(AFTER, labels, means(ranks, after));
    }
    return chart;
  }

  private static List<Double> means(
      TreeSet<Integer> ranks, SortedMap<Integer, List<MetricPoint>> loads) {
    return ranks.stream()
        .map(rank -> loads.containsKey(rank) ? Series.mean(loads.get(rank)) : 0.0)
        .map(mean -> Double.isNaN(mean) ? 0.0 : mean)
        .toList();
  }
}
