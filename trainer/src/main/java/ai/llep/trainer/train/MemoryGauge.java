package ai.llep.trainer.train;

import ai.djl.Device;
import ai.llep.device.CudaRuntime;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * This rank's peak memory, read after each step. On a GPU: the device's memory in use ({@code
 * cudaMemGetInfo}, total minus free), which counts what libtorch's caching allocator holds (it
 * keeps its high-water mark reserved, so the value after a step is the step's peak), the CUDA
 * context and NCCL's buffers, and anything else on that GPU. On the CPU: the process's peak
 * resident memory (Linux {@code VmHWM}: JVM heap and libtorch's native allocations alike).
 */
final class MemoryGauge {
  private static final Logger LOG = LogManager.getLogger(MemoryGauge.class);
  private static final Path STATUS = Path.of("/proc/self/status");

  private final String label;
  private final LongSupplier reading;
  private long peak;

  MemoryGauge(String label, LongSupplier reading) {
    this.label = label;
    this.reading = reading;
  }

  /** The device gauge where the tensors live on a GPU whose CUDA runtime loads, else the host's. */
  static MemoryGauge of(Device device) {
    if (device.isGpu()) {
      try {
        CudaRuntime cuda = CudaRuntime.load();
        int id = device.getDeviceId();
        return new MemoryGauge(
            "gpu mem",
            () -> {
              cuda.setDevice(id);
              return cuda.memInfo().usedBytes();
            });
      } catch (RuntimeException | LinkageError e) {
        LOG.warn("no device memory figures ({}); showing the process's peak memory", e.toString());
      }
    }
    return new MemoryGauge("host mem", MemoryGauge::hostPeakBytes);
  }

  /** What the figure counts: {@code gpu mem} or {@code host mem}. */
  String label() {
    return label;
  }

  /** The largest reading so far, this one included. */
  long peakBytes() {
    peak = Math.max(peak, reading.getAsLong());
    return peak;
  }

  private static long hostPeakBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }
}
