package ai.llep.trainer.report;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
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

  static CategoryChart chart(LoadHistory.LayerView layer, int width, int height) {
    int ranks = Math.max(layer.ranksBefore().length, layer.ranksAfter().length);
    List<String> labels = IntStream.range(0, ranks).mapToObj(String::valueOf).toList();
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(width)
            .height(height)
            .title("Load per rank, layer " + layer.layer() + " (mean tokens per step)")
            .xAxisTitle("rank")
            .yAxisTitle("tokens")
            .build();
    ChartStyle.apply(chart);
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setOverlapped(false);
    chart.addSeries(BEFORE, labels, values(layer.ranksBefore(), ranks));
    chart.addSeries(AFTER, labels, values(layer.ranksAfter(), ranks));
    return chart;
  }

  private static List<Double> values(double[] means, int ranks) {
    return Arrays.stream(Arrays.copyOf(means, ranks)).boxed().toList();
  }
}
