package ai.llep.trainer.train;

import ai.djl.Device;
import ai.llep.device.CudaRuntime;
import ai.llep.tape.BackwardPhases;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Consumer;

/**
 * Times the phases of the profiled steps ({@code profile.steps}). On a GPU the device is
 * synchronised at each phase boundary of a profiled step, so a phase's time is its device work, not
 * its launches; beside it, the host's time to issue the phase (until the synchronisation), which
 * comes close to the phase's time when the device waits for the host. Unprofiled steps are
 * untouched. (libtorch's operator profiler is not offered: DJL's JNI writes its legacy trace only
 * on the libtorch it ships, and crashes writing it on torch 2.11.)
 *
 * <p>The backward is also split by the parts of the step's tape ({@link #backwardParts}): each part
 * runs from one cut back to the one before it and is named by the cut's label, so a second line
 * gives each label's summed time and how many parts carried it.
 */
final class StepProfiler {
  private final ProfileOptions options;
  private final CudaRuntime cuda;
  private final int device;
  private final int rank;
  private final Consumer<String> report;
  private final Map<String, Long> phaseNanos = new LinkedHashMap<>();
  private final Map<String, Long> hostNanos = new LinkedHashMap<>();
  private final Map<String, Long> partNanos = new LinkedHashMap<>();
  private final Map<String, Integer> partCounts = new LinkedHashMap<>();
  private long step;
  private String phase;
  private long phaseStart;
  private String part;
  private long partStart;

  private StepProfiler(
      ProfileOptions options, CudaRuntime cuda, int device, int rank, Consumer<String> report) {
    this.options = options;
    this.report = report;
    this.cuda = cuda;
    this.device = device;
    this.rank = rank;
  }

  /**
   * @param report takes one line per profiled step
   */
  static StepProfiler of(ProfileOptions options, Device device, int rank, Consumer<String> report) {
    CudaRuntime cuda = options.enabled() && device.isGpu() ? CudaRuntime.load() : null;
    return new StepProfiler(
        options, cuda, device.isGpu() ? device.getDeviceId() : -1, rank, report);
  }

  /** Starts {@code step}; its first phase is {@code first}. */
  void begin(long step, String first) {
    this.step = step;
    if (!options.covers(step)) {
      return;
    }
    phaseNanos.clear();
    hostNanos.clear();
    partNanos.clear();
    partCounts.clear();
    phase = null;
    enter(first);
  }

  /** Ends the phase in progress and starts {@code next}. */
  void enter(String next) {
    if (!options.covers(step)) {
      return;
    }
    long queued = System.nanoTime();
    sync();
    long now = System.nanoTime();
    if (phase != null) {
      phaseNanos.merge(phase, now - phaseStart, Long::sum);
      hostNanos.merge(phase, queued - phaseStart, Long::sum);
    }
    phase = next;
    phaseStart = now;
  }

  /**
   * Told by the tape as each part of the backward starts ({@code bwd-<label>}, then {@code
   * bwd-done}); in a profiled step the device is synchronised there too.
   */
  BackwardPhases backwardParts() {
    return next -> {
      if (!options.covers(step)) {
        return;
      }
      sync();
      long now = System.nanoTime();
      if (part != null) {
        partNanos.merge(part, now - partStart, Long::sum);
        partCounts.merge(part, 1, Integer::sum);
      }
      part = next.equals("bwd-done") ? null : next.substring("bwd-".length());
      partStart = now;
    };
  }

  /** Ends the step and logs its phases. */
  void end() {
    if (!options.covers(step)) {
      return;
    }
    enter(null);
    StringJoiner line = new StringJoiner(", ");
    long total = 0;
    for (Map.Entry<String, Long> e : phaseNanos.entrySet()) {
      String host =
          cuda == null
              ? ""
              : String.format(Locale.ROOT, " (host %.4f s)", hostNanos.get(e.getKey()) / 1e9);
      line.add(String.format(Locale.ROOT, "%s %.4f s%s", e.getKey(), e.getValue() / 1e9, host));
      total += e.getValue();
    }
    report.accept(
        String.format(
            Locale.ROOT,
            "rank %d profile step %d: %s (total %.4f s)",
            rank,
            step,
            line,
            total / 1e9));
    if (!partNanos.isEmpty()) {
      StringJoiner parts = new StringJoiner(", ");
      for (Map.Entry<String, Long> e : partNanos.entrySet()) {
        parts.add(
            String.format(
                Locale.ROOT,
                "%s %.4f s (%d)",
                e.getKey(),
                e.getValue() / 1e9,
                partCounts.get(e.getKey())));
      }
      report.accept(
          String.format(
              Locale.ROOT, "rank %d profile step %d backward by tape part: %s", rank, step, parts));
    }
  }

  private void sync() {
    if (cuda != null) {
      cuda.setDevice(device);
      cuda.synchronize();
    }
  }
}
