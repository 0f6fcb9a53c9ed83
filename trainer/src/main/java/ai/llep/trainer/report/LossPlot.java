package ai.llep.trainer.report;

import ai.llep.trainer.tracking.MetricPoint;
import java.util.List;
import java.util.SortedMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The training loss over the steps. */
final class LossPlot {
  static final String METRIC = "loss";

  private LossPlot() {}

  static XYChart chart(List<MetricPoint> loss, int width, int height) {
    SortedMap<Long, Double> byStep = Series.byStep(loss);
    double[] steps = byStep.keySet().stream().mapToDouble(Long::doubleValue).toArray();
    double[] values = byStep.values().stream().mapToDouble(Double::doubleValue).toArray();
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(height)
            .title("Training loss")
            .xAxisTitle("step")
            .yAxisTitle("loss")
            .build();
    ChartStyle.apply(chart);
    chart.getStyler().setLegendVisible(false);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setXAxisDecimalPattern("#");
    chart.addSeries(METRIC, steps, values).setMarker(SeriesMarkers.NONE);
    return chart;
  }
}
