package ai.llep.device;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import java.lang.foreign.MemorySegment;

/**
 * Host arrays (index tables, targets, positions) as tensors on a manager's device, without stalling
 * a GPU: DJL's {@code manager.create(array)} copies from ordinary host memory, which synchronises
 * the CUDA stream, so the device runs dry each time while the host catches up. Here the values go
 * into page-locked memory from libtorch's caching allocator and the copy is queued on the stream
 * like any kernel. On a CPU, or where the libtorch cannot take the lists the pinned allocation
 * needs, this is {@code manager.create}.
 */
public final class HostUpload {
  private HostUpload() {}

  public static NDArray of(NDManager manager, long[] values) {
    return of(manager, values, new Shape(values.length));
  }

  public static NDArray of(NDManager manager, int[] values) {
    return of(manager, values, new Shape(values.length));
  }

  public static NDArray of(NDManager manager, long[] values, Shape shape) {
    if (!pinned(manager, values.length)) {
      return manager.create(values, shape);
    }
    return upload(manager, MemorySegment.ofArray(values), shape, DataType.INT64);
  }

  public static NDArray of(NDManager manager, int[] values, Shape shape) {
    if (!pinned(manager, values.length)) {
      return manager.create(values, shape);
    }
    return upload(manager, MemorySegment.ofArray(values), shape, DataType.INT32);
  }

  public static NDArray of(NDManager manager, float[] values, Shape shape) {
    if (!pinned(manager, values.length)) {
      return manager.create(values, shape);
    }
    return upload(manager, MemorySegment.ofArray(values), shape, DataType.FLOAT32);
  }

  private static boolean pinned(NDManager manager, int length) {
    return length > 0 && manager.getDevice().isGpu() && Aten.listsSupported();
  }

  private static NDArray upload(
      NDManager manager, MemorySegment values, Shape shape, DataType type) {
    if (shape.size() * type.getNumOfBytes() != values.byteSize()) {
      throw new IllegalArgumentException(
          values.byteSize() / type.getNumOfBytes() + " values do not fill shape " + shape);
    }
    Device device = manager.getDevice();
    try (NDManager scope = manager.newSubManager(Device.cpu())) {
      NDArray staging = Aten.emptyPinned(scope, shape, type);
      MemorySegment.ofAddress(TensorAddress.of(staging))
          .reinterpret(values.byteSize())
          .copyFrom(values);
      return Aten.copyToDeviceAsync(staging, device, manager);
    }
  }
}
