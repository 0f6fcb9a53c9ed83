package ai.llep.device;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Host arrays reach the device with their values, dtype and shape: through pinned memory and an
 * asynchronous copy on a GPU (many uploads queued back to back, each staging buffer released at
 * once, then all read), through DJL's own copy on a CPU.
 */
class HostUploadTest {
  @Test
  void onTheCpuItIsDjlsOwnCopy() {
    try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      check(m, 3);
    }
  }

  @Test
  @Tag("gpu")
  void onAGpuQueuedUploadsKeepTheirValues() {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      check(m, 200);
    }
  }

  private static void check(NDManager m, int rounds) {
    List<long[]> longs = new ArrayList<>();
    List<NDArray> uploaded = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      long[] values = new long[1 + (r * 37) % 5000];
      for (int i = 0; i < values.length; i++) {
        values[i] = (long) r << 40 | i;
      }
      longs.add(values);
      uploaded.add(HostUpload.of(m, values));
    }
    int[] ints = {0, 7, -3, Integer.MAX_VALUE};
    NDArray int32 = HostUpload.of(m, ints, new Shape(2, 2));
    float[] floats = {1.5f, -0.25f, 3e-8f, 6f, 7f, 8f};
    NDArray float32 = HostUpload.of(m, floats, new Shape(3, 1, 2));
    for (int r = 0; r < rounds; r++) {
      NDArray x = uploaded.get(r);
      assertEquals(m.getDevice(), x.getDevice());
      assertEquals(DataType.INT64, x.getDataType());
      assertArrayEquals(longs.get(r), x.toLongArray(), "upload " + r);
    }
    assertEquals(new Shape(2, 2), int32.getShape());
    assertEquals(DataType.INT32, int32.getDataType());
    assertArrayEquals(ints, int32.toIntArray());
    assertEquals(new Shape(3, 1, 2), float32.getShape());
    assertArrayEquals(floats, float32.toFloatArray());
    assertEquals(0, HostUpload.of(m, new long[0]).size());
  }
}
