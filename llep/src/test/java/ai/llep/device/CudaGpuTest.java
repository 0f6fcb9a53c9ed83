package ai.llep.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The CUDA runtime edge on a real GPU; skipped where there is none. */
@Tag("gpu")
class CudaGpuTest {
  private CudaRuntime cuda;

  @BeforeEach
  void needsAGpu() {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    cuda = CudaRuntime.load();
    cuda.setDevice(0);
  }

  @Test
  void deviceSelectionMemoryAndEventsWork() {
    assertEquals(0, cuda.device());
    MemInfo info = cuda.memInfo();
    assertTrue(info.totalBytes() > 0 && info.freeBytes() <= info.totalBytes(), info.toString());
    assertTrue(cuda.runtimeVersion() >= 11000, "runtime " + cuda.runtimeVersion());
    int capability = cuda.computeCapability(0);
    assertTrue(capability >= 50 && capability < 200, "compute capability " + capability);
    try (CudaEvent event = cuda.newEvent()) {
      event.record();
      cuda.synchronize();
      assertTrue(event.isComplete());
    }
  }

  @Test
  void aGpuTensorsAddressIsTheSameThroughBothPaths() {
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      NDArray x = m.zeros(new Shape(1024, 3), DataType.FLOAT16);
      long address = TensorAddress.of(x);
      assertTrue(address != 0);
      assertEquals(address, TensorAddress.viaFirstElement(x));
    }
  }

  @Test
  void peakMemoryCoversATensorMadeInTheRegion() {
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
    long bytes = 256L << 20;
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      PeakMemory peak =
          DeviceMemory.peakDuringRun(
              cuda,
              () -> {
                try (NDArray big = m.ones(new Shape(bytes / 4), DataType.FLOAT32)) {
                  big.sum().getFloat();
                }
              });
      assertTrue(peak.regionBytes() >= bytes, peak.toString());
      assertTrue(peak.peakBytes() <= peak.totalBytes(), peak.toString());
    }
  }
}
