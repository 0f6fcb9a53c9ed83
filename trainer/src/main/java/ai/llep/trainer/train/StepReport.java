package ai.llep.trainer.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one optimizer step did, identical on every rank (all numbers are global).
 *
 * @param loss mean loss over every rank's trained tokens
 * @param tokens trained (loss-counted) tokens over all ranks
 * @param layers per MoE layer: global expert loads and per-rank loads before/after planning
 */
record StepReport(
    long step,
    double loss,
    double lr,
    double gradNorm,
    long tokens,
    double seconds,
    List<LayerLoad> layers,
    long peakMemoryBytes) {

  /** One MoE layer in one step (summed over the step's micro-batches). */
  record LayerLoad(
      int layer,
      long[] expertLoads,
      long[] rankLoadsBefore,
      long[] rankLoadsAfter,
      long spilledSlots,
      long weightBytesMoved) {
    double imbalanceBefore() {
      return imbalance(rankLoadsBefore);
    }

    double imbalanceAfter() {
      return imbalance(rankLoadsAfter);
    }
  }

  double meanImbalanceBefore() {
    return layers.stream().mapToDouble(LayerLoad::imbalanceBefore).average().orElse(1.0);
  }

  double meanImbalanceAfter() {
    return layers.stream().mapToDouble(LayerLoad::imbalanceAfter).average().orElse(1.0);
  }

  /** The metrics tracked per step, MLflow-style names. */
  Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss);
    m.put("lr", lr);
    m.put("grad_norm", gradNorm);
    m.put("tokens_per_s", tokens / seconds);
    m.put("step_time_s", seconds);
    m.put("imbalance_before", meanImbalanceBefore());
    m.put("imbalance_after", meanImbalanceAfter());
    m.put("peak_memory_mb", peakMemoryBytes / 1e6);
    long spilled = 0;
    long moved = 0;
    for (LayerLoad l : layers) {
      String prefix = "moe/layer" + l.layer() + "/";
      m.put(prefix + "imbalance_before", l.imbalanceBefore());
      m.put(prefix + "imbalance_after", l.imbalanceAfter());
      m.put(prefix + "spilled_slots", (double) l.spilledSlots());
      m.put(prefix + "weight_mb_moved", l.weightBytesMoved() / 1e6);
      for (int e = 0; e < l.expertLoads().length; e++) {
        m.put(prefix + "expert" + e + "_load", (double) l.expertLoads()[e]);
      }
      for (int r = 0; r < l.rankLoadsBefore().length; r++) {
        m.put(prefix + "rank" + r + "_load_before", (double) l.rankLoadsBefore()[r]);
        m.put(prefix + "rank" + r + "_load_after", (double) l.rankLoadsAfter()[r]);
      }
      spilled += l.spilledSlots();
      moved += l.weightBytesMoved();
    }
    m.put("spilled_slots", (double) spilled);
    m.put("weight_mb_moved", moved / 1e6);
    return m;
  }

  String progressLine(long maxSteps, double etaSeconds) {
    return String.format(
        Locale.ROOT,
        "step %d/%d | loss %.4f | lr %.3e | grad_norm %.3f | %.0f tok/s | %.3f s/step | ETA %s | imbalance %.2f -> %.2f",
        step,
        maxSteps,
        loss,
        lr,
        gradNorm,
        tokens / seconds,
        seconds,
        eta(etaSeconds),
        meanImbalanceBefore(),
        meanImbalanceAfter());
  }

  private static String eta(double seconds) {
    long s = Math.round(seconds);
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }

  private static double imbalance(long[] loads) {
    long max = 0;
    long total = 0;
    for (long l : loads) {
      max = Math.max(max, l);
      total += l;
    }
    return total == 0 ? 1.0 : max * (double) loads.length / total;
  }
}
