package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line, the end-of-run summary and the tracked metrics, as text and keys. */
class StepReportTest {
  private static StepReport.LayerLoad layer(int index) {
    return new StepReport.LayerLoad(
        index,
        new long[] {30, 10, 0, 0, 40, 0, 0, 0},
        new long[] {40, 40},
        new long[] {40, 40},
        12,
        2_000_000);
  }

  private static StepReport step(long step, double seconds, long processed, long loss) {
    return new StepReport(
        step,
        2.5,
        1e-3,
        0.75,
        loss,
        processed,
        seconds,
        List.of(layer(0), layer(1)),
        3L << 30,
        false);
  }

  @Test
  void theProgressLineNamesBothTokenRatesAndThePeakMemory() {
    assertEquals(
        "step 10/120 | loss 2.5000 | lr 1.000e-03 | grad_norm 0.750 | processed 8.20k tok/s"
            + " | loss 2.80k tok/s | 1.000 s/step | ETA 1:50 | peak gpu mem 3.00 GiB"
            + " | imbalance 1.00 -> 1.00",
        step(10, 1.0, 8200, 2800).progressLine(120, 110, "gpu mem"));
  }

  @Test
  void metricsArePerLayerSummariesNotOneKeyPerExpert() {
    Map<String, Double> metrics = step(1, 0.5, 1000, 400).metrics();
    assertEquals(2000.0, metrics.get("processed_tokens_per_s"));
    assertEquals(800.0, metrics.get("loss_tokens_per_s"));
    assertEquals(40.0, metrics.get("moe/layer1/expert_load_max"));
    assertEquals(10.0, metrics.get("moe/layer1/expert_load_mean"));
    assertEquals(24.0, metrics.get("spilled_slots"));
    List<String> perLayer = new ArrayList<>();
    for (String key : metrics.keySet()) {
      if (key.startsWith("moe/layer0/")) {
        perLayer.add(key.substring("moe/layer0/".length()));
      }
      assertTrue(!key.contains("expert0") && !key.contains("rank0"), key);
    }
    assertEquals(
        List.of(
            "expert_load_max",
            "expert_load_mean",
            "imbalance_before",
            "imbalance_after",
            "spilled_slots",
            "weight_mb_moved"),
        perLayer);
    assertEquals(11 + 2 * 6, metrics.size());
  }

  @Test
  void theSummaryTakesTheMedianAfterTheWarmUp() {
    RunSummary summary = new RunSummary();
    double[] seconds = {9, 2, 1.5, 1, 1, 1, 1, 1, 1, 3};
    for (int i = 0; i < seconds.length; i++) {
      summary.add(step(i + 1, seconds[i], 1000, 250));
    }
    assertEquals(
        "summary: steps 1-10 (10) in 0:22 | median 1.000 s/step after 2 warm-up steps"
            + " | processed 762 tok/s | loss 190 tok/s | peak gpu mem 3.00 GiB",
        summary.line("gpu mem"));
  }

  @Test
  void theWarmUpIsAFifthOfTheStepsUpToTen() {
    assertEquals(0, RunSummary.warmup(4));
    assertEquals(1, RunSummary.warmup(5));
    assertEquals(10, RunSummary.warmup(50));
    assertEquals(10, RunSummary.warmup(5000));
    assertEquals("summary: no step ran", new RunSummary().line("host mem"));
  }
}
