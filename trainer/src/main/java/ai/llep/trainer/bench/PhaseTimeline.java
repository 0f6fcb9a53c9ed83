package ai.llep.trainer.bench;

import ai.llep.device.CudaEvent;
import ai.llep.device.CudaRuntime;
import ai.llep.dispatch.DispatchPhases;
import ai.llep.tape.BackwardPhases;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The phases of one dispatcher forward on this rank, and of the tape's backward after it: when the
 * host entered each phase and, on a GPU, when the device reached it (a timing event recorded on the
 * default stream at entry). A device time much larger than the host's means the device was busy; a
 * device that reaches a phase right when the host enters it was waiting for the host.
 */
final class PhaseTimeline implements DispatchPhases, BackwardPhases, AutoCloseable {
  private final CudaRuntime cuda;
  private final List<String> names = new ArrayList<>();
  private final List<Long> hostNanos = new ArrayList<>();
  private final List<CudaEvent> events = new ArrayList<>();

  /**
   * @param cuda the runtime of this rank's GPU (current on the calling thread); null on the CPU
   */
  PhaseTimeline(CudaRuntime cuda) {
    this.cuda = cuda;
  }

  @Override
  public void enter(String phase) {
    names.add(phase);
    hostNanos.add(System.nanoTime());
    if (cuda != null) {
      CudaEvent event = cuda.newTimingEvent();
      event.record();
      events.add(event);
    }
  }

  /** One line per phase; call after the device has finished the run. */
  String format() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            Locale.ROOT,
            "%-12s %10s %10s %12s %12s%n",
            "phase",
            "host ms",
            "device ms",
            "host at ms",
            "device at ms"));
    for (int i = 0; i + 1 < names.size(); i++) {
      double host = (hostNanos.get(i + 1) - hostNanos.get(i)) / 1e6;
      double hostAt = (hostNanos.get(i) - hostNanos.getFirst()) / 1e6;
      String device = "-";
      String deviceAt = "-";
      if (cuda != null) {
        device = String.format(Locale.ROOT, "%.3f", events.get(i + 1).millisSince(events.get(i)));
        deviceAt = String.format(Locale.ROOT, "%.3f", events.get(i).millisSince(events.getFirst()));
      }
      out.append(
          String.format(
              Locale.ROOT,
              "%-12s %10.3f %10s %12.3f %12s%n",
              names.get(i),
              host,
              device,
              hostAt,
              deviceAt));
    }
    return out.toString();
  }

  /** Writes {@code text} to {@code file}, creating its folder. */
  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the phase timeline " + file, e);
    }
  }

  /** The timeline file of one routing, mode and rank, under {@code output/traces}. */
  static Path file(Path output, String routing, String mode, int rank) {
    String name = (routing + "-" + mode + "-rank" + rank).replaceAll("[^A-Za-z0-9._-]", "-");
    return output.resolve("traces").resolve(name.toLowerCase(Locale.ROOT) + ".txt");
  }

  @Override
  public void close() {
    events.forEach(CudaEvent::close);
    events.clear();
  }
}
