package ai.llep.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Raw device memory for GPU tests that must not depend on DJL's CUDA build: cudaMalloc, blocking
 * copies to and from the host, cudaFree, on the calling thread's current device.
 */
public final class DeviceBuffers {
  private static final int HOST_TO_DEVICE = 1;
  private static final int DEVICE_TO_HOST = 2;

  private final MethodHandle malloc;
  private final MethodHandle free;
  private final MethodHandle memcpy;

  public DeviceBuffers(CudaRuntime cuda) {
    NativeLibrary library = NativeLibrary.open("the CUDA runtime", List.of(cuda.libraryName()));
    malloc = library.downcall("cudaMalloc", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    free = library.downcall("cudaFree", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    memcpy =
        library.downcall(
            "cudaMemcpy", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
  }

  public long allocate(long bytes) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment pointer = arena.allocate(ADDRESS);
      check("cudaMalloc", (int) malloc.invokeExact(pointer, bytes));
      return pointer.get(ADDRESS, 0).address();
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  public void free(long address) {
    try {
      check("cudaFree", (int) free.invokeExact(MemorySegment.ofAddress(address)));
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  public void upload(long address, float[] values) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_FLOAT, values);
      check(
          "cudaMemcpy",
          (int)
              memcpy.invokeExact(
                  MemorySegment.ofAddress(address), host, host.byteSize(), HOST_TO_DEVICE));
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  public float[] download(long address, int count) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment host = arena.allocate(ValueLayout.JAVA_FLOAT, count);
      check(
          "cudaMemcpy",
          (int)
              memcpy.invokeExact(
                  host, MemorySegment.ofAddress(address), host.byteSize(), DEVICE_TO_HOST));
      return host.toArray(ValueLayout.JAVA_FLOAT);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void check(String call, int code) {
    if (code != 0) {
      throw new CudaException(call + " failed with CUDA error " + code);
    }
  }
}
