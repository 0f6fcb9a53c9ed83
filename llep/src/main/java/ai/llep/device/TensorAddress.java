package ai.llep.device;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.llep.aten.DjlTensors;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * The address of a tensor's data on its device, to hand tensors to native libraries (NCCL) without
 * copying them.
 *
 * <p>This is the one class that reaches into DJL's internals, and why: DJL has no public way to a
 * tensor's data pointer. {@code PtNDArray.toByteBuffer} copies the tensor to the CPU first; the
 * native that returns a direct buffer over the tensor's own memory, {@code
 * PyTorchLibrary.torchDirectByteBuffer(handle)}, and the contiguity natives are package-private.
 * They are reached here by reflection, once, so a DJL upgrade that moves them breaks this file
 * only. The direct buffer over device memory is used for its address alone and never read.
 */
public final class TensorAddress {
  private static final Object LIBRARY;
  private static final MethodHandle DIRECT_BUFFER;
  private static final MethodHandle IS_CONTIGUOUS;
  private static final MethodHandle TO_CONTIGUOUS;

  static {
    try {
      Class<?> type = Class.forName("ai.djl.pytorch.jni.PyTorchLibrary");
      Field lib = type.getDeclaredField("LIB");
      lib.setAccessible(true);
      LIBRARY = lib.get(null);
      DIRECT_BUFFER = handle(type, "torchDirectByteBuffer");
      IS_CONTIGUOUS = handle(type, "torchIsContiguous");
      TO_CONTIGUOUS = handle(type, "torchToContiguous");
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(
          "this DJL version has no PyTorchLibrary.torchDirectByteBuffer(long) as 0.36 has: " + e);
    }
  }

  private TensorAddress() {}

  /**
   * The address of the first element of {@code x}, which must be contiguous; 0 for an empty tensor.
   * Valid while {@code x} is open.
   */
  public static long of(NDArray x) {
    if (x.size() == 0) {
      return 0;
    }
    if (!isContiguous(x)) {
      throw new IllegalArgumentException(
          "a tensor handed to native code must be contiguous; got shape " + x.getShape());
    }
    long bytes = x.size() * DjlTensors.dtype(x).getNumOfBytes();
    return bytes <= Integer.MAX_VALUE ? directAddress(x) : viaFirstElement(x);
  }

  /** True when {@code x}'s elements are dense in row-major order. */
  public static boolean isContiguous(NDArray x) {
    try {
      return (boolean) IS_CONTIGUOUS.invoke(LIBRARY, handleOf(x));
    } catch (Throwable t) {
      throw new IllegalStateException("torchIsContiguous failed: " + t, t);
    }
  }

  /**
   * {@code x} itself when contiguous, else a contiguous copy attached to {@code x}'s manager (DJL's
   * {@code duplicate} keeps a transposed layout, so it cannot serve).
   */
  public static NDArray contiguous(NDArray x) {
    if (isContiguous(x)) {
      return x;
    }
    try {
      long copy = (long) TO_CONTIGUOUS.invoke(LIBRARY, handleOf(x));
      return new PtNDArray((PtNDManager) x.getManager(), copy);
    } catch (Throwable t) {
      throw new IllegalStateException("torchToContiguous failed: " + t, t);
    }
  }

  /** A direct buffer's capacity is an int, so larger tensors go through a one-element view. */
  static long viaFirstElement(NDArray x) {
    NDManager manager = x.getManager();
    try (NDManager scope = manager.newSubManager()) {
      NDArray flat = x.reshape(-1);
      flat.attach(scope);
      NDArray first = flat.get(new NDIndex("0:1"));
      first.attach(scope);
      return directAddress(first);
    }
  }

  static long directAddress(NDArray x) {
    try {
      ByteBuffer buffer = (ByteBuffer) DIRECT_BUFFER.invoke(LIBRARY, handleOf(x));
      return MemorySegment.ofBuffer(buffer).address();
    } catch (Throwable t) {
      throw new IllegalStateException("torchDirectByteBuffer failed: " + t, t);
    }
  }

  private static long handleOf(NDArray x) {
    if (!(x instanceof PtNDArray pt)) {
      throw new IllegalArgumentException(
          "only PyTorch-engine tensors have an address, got " + x.getClass().getName());
    }
    return pt.getHandle();
  }

  private static MethodHandle handle(Class<?> type, String name)
      throws ReflectiveOperationException {
    Method method = type.getDeclaredMethod(name, long.class);
    method.setAccessible(true);
    return MethodHandles.lookup().unreflect(method);
  }
}
