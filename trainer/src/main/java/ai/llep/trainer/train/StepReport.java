package ai.llep.trainer.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one optimizer step did, identical on every rank (all numbers are global).
 *
 * @param loss mean loss over every rank's loss-bearing tokens
 * @param lossTokens tokens the loss covers (completion or assistant tokens), over all ranks
 * @param processedTokens tokens the step ran through the model, padding excluded, over all ranks
 * @param layers per MoE layer: global expert loads and per-rank loads before/after planning
 * @param peakMemoryBytes the largest peak memory of any rank so far ({@link MemoryGauge})
 * @param stop whether a rank asked to stop (a signal): the run ends after this step
 */
record StepReport(
    long step,
    double loss,
    double lr,
    double gradNorm,
    long lossTokens,
    long processedTokens,
    double seconds,
    List<LayerLoad> layers,
    long peakMemoryBytes,
    boolean stop) {

  /**
   * One MoE layer in one step (summed over the step's micro-batches).
   *
   * @param weightBytesMoved bytes of expert tensors lent to helpers, over all ranks
   * @param frozenBytesMoved the part of them that was frozen base weights (LoRA)
   * @param cacheHits lent experts whose base weights the helper kept from an earlier step
   */
  record LayerLoad(
      int layer,
      long[] expertLoads,
      long[] rankLoadsBefore,
      long[] rankLoadsAfter,
      long spilledSlots,
      long weightBytesMoved,
      long frozenBytesMoved,
      long cacheHits) {
    /** A layer whose exchange moved no frozen tensor. */
    LayerLoad(
        int layer,
        long[] expertLoads,
        long[] rankLoadsBefore,
        long[] rankLoadsAfter,
        long spilledSlots,
        long weightBytesMoved) {
      this(
          layer,
          expertLoads,
          rankLoadsBefore,
          rankLoadsAfter,
          spilledSlots,
          weightBytesMoved,
          0,
          0);
    }

    double imbalanceBefore() {
      return imbalance(rankLoadsBefore);
    }

    double imbalanceAfter() {
      return imbalance(rankLoadsAfter);
    }

    long expertLoadMax() {
      long max = 0;
      for (long load : expertLoads) {
        max = Math.max(max, load);
      }
      return max;
    }

    double expertLoadMean() {
      long total = 0;
      for (long load : expertLoads) {
        total += load;
      }
      return expertLoads.length == 0 ? 0 : total / (double) expertLoads.length;
    }
  }

  double meanImbalanceBefore() {
    return layers.stream().mapToDouble(LayerLoad::imbalanceBefore).average().orElse(1.0);
  }

  double meanImbalanceAfter() {
    return layers.stream().mapToDouble(LayerLoad::imbalanceAfter).average().orElse(1.0);
  }

  double processedTokensPerSecond() {
    return processedTokens / seconds;
  }

  double lossTokensPerSecond() {
    return lossTokens / seconds;
  }

  /**
   * The metrics tracked per step, MLflow-style names: a handful of run-wide values and six per MoE
   * layer (eight when the base is frozen: also the base weights moved and the cache hits). Each
   * expert's load goes to an artifact instead ({@link ExpertLoadArtifacts}): one metric key per
   * layer and expert would be thousands of keys for a real model.
   */
  Map<String, Double> metrics() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("loss", loss);
    m.put("lr", lr);
    m.put("grad_norm", gradNorm);
    m.put("processed_tokens_per_s", processedTokensPerSecond());
    m.put("loss_tokens_per_s", lossTokensPerSecond());
    m.put("step_time_s", seconds);
    m.put("imbalance_before", meanImbalanceBefore());
    m.put("imbalance_after", meanImbalanceAfter());
    m.put("peak_memory_mb", peakMemoryBytes / 1e6);
    long spilled = 0;
    long moved = 0;
    long frozen = 0;
    long hits = 0;
    boolean anyFrozen =
        layers.stream().anyMatch(l -> l.frozenBytesMoved() > 0 || l.cacheHits() > 0);
    for (LayerLoad l : layers) {
      String prefix = "moe/layer" + l.layer() + "/";
      m.put(prefix + "expert_load_max", (double) l.expertLoadMax());
      m.put(prefix + "expert_load_mean", l.expertLoadMean());
      m.put(prefix + "imbalance_before", l.imbalanceBefore());
      m.put(prefix + "imbalance_after", l.imbalanceAfter());
      m.put(prefix + "spilled_slots", (double) l.spilledSlots());
      m.put(prefix + "weight_mb_moved", l.weightBytesMoved() / 1e6);
      if (anyFrozen) {
        m.put(prefix + "base_weight_mb_moved", l.frozenBytesMoved() / 1e6);
        m.put(prefix + "weight_cache_hits", (double) l.cacheHits());
      }
      spilled += l.spilledSlots();
      moved += l.weightBytesMoved();
      frozen += l.frozenBytesMoved();
      hits += l.cacheHits();
    }
    m.put("spilled_slots", (double) spilled);
    m.put("weight_mb_moved", moved / 1e6);
    if (anyFrozen) {
      m.put("base_weight_mb_moved", frozen / 1e6);
      m.put("weight_cache_hits", (double) hits);
    }
    return m;
  }

  /** The progress line; {@code memoryLabel} says what the memory figure counts. */
  String progressLine(long maxSteps, double etaSeconds, String memoryLabel) {
    return String.format(
        Locale.ROOT,
        "step %d/%d | loss %.4f | lr %.3e | grad_norm %.3f | processed %s tok/s | loss %s tok/s"
            + " | %.3f s/step | ETA %s | peak %s %s | imbalance %.2f -> %.2f",
        step,
        maxSteps,
        loss,
        lr,
        gradNorm,
        Figures.count(processedTokensPerSecond()),
        Figures.count(lossTokensPerSecond()),
        seconds,
        Figures.duration(etaSeconds),
        memoryLabel,
        Figures.bytes(peakMemoryBytes),
        meanImbalanceBefore(),
        meanImbalanceAfter());
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
