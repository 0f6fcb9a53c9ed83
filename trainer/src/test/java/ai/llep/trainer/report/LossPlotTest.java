package ai.llep.trainer.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.llep.trainer.tracking.MetricPoint;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;

/** loss.png: the training loss, with the eval loss at the evaluated steps when the run has one. */
class LossPlotTest {
  private static List<MetricPoint> points(long[] steps, double base) {
    return LongStream.of(steps).mapToObj(s -> new MetricPoint(0, base / s, s)).toList();
  }

  @Test
  void theEvalLossIsASecondSeriesAtItsSteps() {
    List<MetricPoint> loss = points(LongStream.rangeClosed(1, 40).toArray(), 4);
    List<MetricPoint> eval = points(new long[] {20, 40}, 5);
    XYChart both = LossPlot.chart(loss, eval, 400, 300);
    assertEquals(List.of("loss", "eval_loss"), List.copyOf(both.getSeriesMap().keySet()));
    assertArrayEquals(new double[] {20, 40}, both.getSeriesMap().get("eval_loss").getXData());
    assertArrayEquals(
        new double[] {0.25, 0.125}, both.getSeriesMap().get("eval_loss").getYData(), 1e-12);
    assertEquals("Training and eval loss", both.getTitle());
    XYChart alone = LossPlot.chart(loss, List.of(), 400, 300);
    assertEquals(List.of("loss"), List.copyOf(alone.getSeriesMap().keySet()));
    assertEquals("Training loss", alone.getTitle());
  }
}
