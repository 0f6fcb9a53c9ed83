package ai.llep.trainer.train;

import ai.djl.Device;
import ai.djl.pytorch.jni.JniUtils;
import ai.llep.device.CudaRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Times the phases of the profiled steps ({@code profile.steps}) and records libtorch's operators
 * over them. On a GPU the device is synchronised at each phase boundary of a profiled step, so a
 * phase's time is its device work, not its launches; unprofiled steps are untouched. The operator
 * trace (libtorch's legacy profiler through DJL: every operator's host time and input shapes, as a
 * Chrome trace) covers the profiled steps and is written after the last of them.
 */
final class StepProfiler {
  private static final Logger LOG = LogManager.getLogger(StepProfiler.class);

  private final ProfileOptions options;
  private final CudaRuntime cuda;
  private final int device;
  private final int rank;
  private final Map<String, Long> phaseNanos = new LinkedHashMap<>();
  private long step;
  private String phase;
  private long phaseStart;

  private StepProfiler(ProfileOptions options, CudaRuntime cuda, int device, int rank) {
    this.options = options;
    this.cuda = cuda;
    this.device = device;
    this.rank = rank;
  }

  static StepProfiler of(ProfileOptions options, Device device, int rank) {
    CudaRuntime cuda = options.enabled() && device.isGpu() ? CudaRuntime.load() : null;
    return new StepProfiler(options, cuda, device.isGpu() ? device.getDeviceId() : -1, rank);
  }

  /** A profiler that profiles nothing. */
  static StepProfiler off() {
    return new StepProfiler(ProfileOptions.OFF, null, -1, 0);
  }

  /** Starts {@code step}; its first phase is {@code first}. */
  void begin(long step, String first) {
    this.step = step;
    if (!options.covers(step)) {
      return;
    }
    if (step == options.firstStep()) {
      sync();
      JniUtils.startProfile(false, true, false);
    }
    phaseNanos.clear();
    phase = null;
    enter(first);
  }

  /** Ends the phase in progress and starts {@code next}. */
  void enter(String next) {
    if (!options.covers(step)) {
      return;
    }
    sync();
    long now = System.nanoTime();
    if (phase != null) {
      phaseNanos.merge(phase, now - phaseStart, Long::sum);
    }
    phase = next;
    phaseStart = now;
  }

  /** Ends the step: logs its phases, and after the last profiled step writes the trace. */
  void end() {
    if (!options.covers(step)) {
      return;
    }
    enter(null);
    StringJoiner line = new StringJoiner(", ");
    long total = 0;
    for (Map.Entry<String, Long> e : phaseNanos.entrySet()) {
      line.add(String.format(Locale.ROOT, "%s %.4f s", e.getKey(), e.getValue() / 1e9));
      total += e.getValue();
    }
    LOG.info(
        "rank {} profile step {}: {} (total {})",
        rank,
        step,
        line,
        String.format(Locale.ROOT, "%.4f s", total / 1e9));
    if (step == options.lastStep()) {
      Path trace = options.dir().resolve("profile-rank" + rank + ".json").toAbsolutePath();
      try {
        Files.createDirectories(trace.getParent());
      } catch (IOException e) {
        throw new UncheckedIOException("profile.dir: cannot create " + trace.getParent(), e);
      }
      JniUtils.stopProfile(trace.toString());
      LOG.info(
          "rank {}: operator trace of steps {}-{} -> {}", rank, options.firstStep(), step, trace);
    }
  }

  private void sync() {
    if (cuda != null) {
      cuda.setDevice(device);
      cuda.synchronize();
    }
  }
}
