package ai.llep.trainer.bench;

import ai.djl.Device;
import ai.llep.device.CudaRuntime;
import ai.llep.device.DeviceMemory;
import ai.llep.device.PeakMemory;

/**
 * Wall-clock timing of work on this rank's device. On a GPU the device is synchronised before the
 * clock starts and before it stops, so the time covers the queued kernels, not just their launch;
 * on the CPU, libtorch's calls return when done and nothing needs synchronising.
 */
final class DeviceClock {
  private final CudaRuntime cuda;
  private final int device;

  private DeviceClock(CudaRuntime cuda, int device) {
    this.cuda = cuda;
    this.device = device;
  }

  static DeviceClock of(Device device) {
    return device.isGpu()
        ? new DeviceClock(CudaRuntime.load(), device.getDeviceId())
        : new DeviceClock(null, -1);
  }

  boolean onGpu() {
    return cuda != null;
  }

  /** Waits for the device's queued work. */
  void sync() {
    if (cuda != null) {
      cuda.setDevice(device);
      cuda.synchronize();
    }
  }

  /** Nanoseconds {@code work} takes, device work included. */
  long time(Runnable work) {
    sync();
    long start = System.nanoTime();
    work.run();
    sync();
    return System.nanoTime() - start;
  }

  /** A phase timeline for this rank's device (host times only on the CPU). */
  PhaseTimeline timeline() {
    if (cuda != null) {
      cuda.setDevice(device);
    }
    return new PhaseTimeline(cuda);
  }

  /** Peak device memory of {@code work}; null on the CPU, where the JVM and libtorch share it. */
  PeakMemory peak(Runnable work) {
    if (cuda == null) {
      work.run();
      return null;
    }
    cuda.setDevice(device);
    return DeviceMemory.peakDuringRun(cuda, work);
  }
}
