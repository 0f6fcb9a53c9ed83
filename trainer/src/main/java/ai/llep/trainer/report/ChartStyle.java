package ai.llep.trainer.report;

import java.awt.Color;
import java.awt.Font;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;

/** The look shared by every plot: white background, readable fonts, anti-aliasing. */
final class ChartStyle {
  static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
  static final Font TICKS = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private ChartStyle() {}

  static void apply(Chart<? extends AxesChartStyler, ?> chart) {
    AxesChartStyler styler = chart.getStyler();
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setChartTitleFont(TITLE);
    styler.setAxisTickLabelsFont(TICKS);
    styler.setAntiAlias(true);
  }
}
