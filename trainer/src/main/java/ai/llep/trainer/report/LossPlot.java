package ai.llep.trainer.report;

import ai.llep.trainer.tracking.MetricPoint;
import java.util.List;
import java.util.SortedMap;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The training loss over the steps, with the eval loss at the steps evaluated when there is one.
 */
final class LossPlot {
  static final String METRIC = "loss";
  static final String EVAL_METRIC = "eval_loss";

  private LossPlot() {}

  static XYChart chart(List<MetricPoint> loss, int width, int height) {
    return chart(loss, List.of(), width, height);
  }

  /** {@code eval} may be empty: then the chart shows the training loss alone. */
  static XYChart chart(List<MetricPoint> loss, List<MetricPoint> eval, int width, int height) {
    XYChart chart =
        new XYChartBuilder()
            .width(width)
            .height(height)
            .title(eval.isEmpty() ? "Training loss" : "Training and eval loss")
            .xAxisTitle("step")
            .yAxisTitle("loss")
            .build();
    ChartStyle.apply(chart);
    chart.getStyler().setLegendVisible(!eval.isEmpty());
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    chart.getStyler().setXAxisDecimalPattern("#");
    add(chart, METRIC, loss).setMarker(SeriesMarkers.NONE);
    if (!eval.isEmpty()) {
      add(chart, EVAL_METRIC, eval).setMarker(SeriesMarkers.CIRCLE);
    }
    return chart;
  }

  private static XYSeries add(XYChart chart, String name, List<MetricPoint> points) {
    SortedMap<Long, Double> byStep = Series.byStep(points);
    double[] steps = byStep.keySet().stream().mapToDouble(Long::doubleValue).toArray();
    double[] values = byStep.values().stream().mapToDouble(Double::doubleValue).toArray();
    return chart.addSeries(name, steps, values);
  }
}
