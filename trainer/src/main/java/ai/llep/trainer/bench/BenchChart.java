package ai.llep.trainer.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * The bench report as one PNG of two bar charts over the scenarios: each mode's time as a multiple
 * of the compute floor, and each mode's speedup over EP beside the ceiling.
 */
final class BenchChart {
  private BenchChart() {}

  static void write(BenchReport report, Path png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> scenarios = report.scenarios().stream().map(ScenarioResult::scenario).toList();
    String title = report.shape().describe() + ", " + report.ranks() + " ranks";
    CategoryChart floor = chart(title, "time / compute floor");
    CategoryChart speedup =
        chart(
            report.options().pass().label()
                + ", "
                + report.options().dataType().name().toLowerCase(java.util.Locale.ROOT),
            "speedup over EP");
    int modes = report.scenarios().getFirst().modes().size();
    for (int i = 0; i < modes; i++) {
      List<Double> multiples = new ArrayList<>();
      List<Double> speedups = new ArrayList<>();
      for (ScenarioResult scenario : report.scenarios()) {
        ModeResult mode = scenario.modes().get(i);
        multiples.add(mode.floorMultiple());
        speedups.add(mode.speedup() == null ? 0.0 : mode.speedup());
      }
      String name = BenchRunner.label(report.scenarios().getFirst().modes().get(i).mode());
      floor.addSeries(name, scenarios, multiples);
      speedup.addSeries(name, scenarios, speedups);
    }
    speedup.addSeries(
        "ceiling", scenarios, report.scenarios().stream().map(ScenarioResult::ceiling).toList());
    BitmapEncoder.saveBitmap(
        List.of(floor, speedup), 1, 2, png.toString(), BitmapEncoder.BitmapFormat.PNG);
  }

  private static CategoryChart chart(String title, String yAxis) {
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(720)
            .height(480)
            .title(title)
            .xAxisTitle("routing")
            .yAxisTitle(yAxis)
            .build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
    chart.getStyler().setXAxisLabelRotation(30);
    return chart;
  }
}
