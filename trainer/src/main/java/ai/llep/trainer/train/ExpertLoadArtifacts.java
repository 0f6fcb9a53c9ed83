package ai.llep.trainer.train;

import ai.llep.trainer.report.ExpertLoads;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Rank 0's per-step expert loads, kept until a checkpoint, the end of the run or {@value
 * #MAX_STEPS} steps, then stored as one {@link ExpertLoads} artifact. Writing at checkpoints keeps
 * what a resumed run repeats apart from what it keeps.
 */
final class ExpertLoadArtifacts {
  static final int MAX_STEPS = 100;

  private final BiConsumer<String, byte[]> store;
  private final List<ExpertLoads.Step> pending = new ArrayList<>();

  /**
   * @param store takes an artifact path and its content
   */
  ExpertLoadArtifacts(BiConsumer<String, byte[]> store) {
    this.store = store;
  }

  void add(StepReport report) {
    if (report.layers().isEmpty()) {
      return;
    }
    List<ExpertLoads.Layer> layers = new ArrayList<>();
    for (StepReport.LayerLoad l : report.layers()) {
      layers.add(
          new ExpertLoads.Layer(
              l.layer(),
              l.expertLoads().clone(),
              l.rankLoadsBefore().clone(),
              l.rankLoadsAfter().clone()));
    }
    pending.add(new ExpertLoads.Step(report.step(), layers));
    if (pending.size() >= MAX_STEPS) {
      flush();
    }
  }

  /** Stores the steps kept so far as one artifact, if there are any. */
  void flush() {
    if (pending.isEmpty()) {
      return;
    }
    StringBuilder text = new StringBuilder();
    pending.forEach(step -> text.append(ExpertLoads.line(step)).append('\n'));
    String name = ExpertLoads.artifact(pending.getFirst().step(), pending.getLast().step());
    pending.clear();
    store.accept(name, text.toString().getBytes(StandardCharsets.UTF_8));
  }
}
