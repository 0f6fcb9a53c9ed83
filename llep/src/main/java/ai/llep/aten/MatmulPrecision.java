package ai.llep.aten;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * libtorch's process-wide switch for TF32 in float32 matrix products on CUDA, the setting behind
 * {@code torch.backends.cuda.matmul.allow_tf32}.
 *
 * <p>Why C++ symbols and not the stable ABI: the stable ABI has no call for it, and no ATen
 * operator sets it. {@code at::globalContext()} (returning the {@code at::Context} singleton) and
 * the member functions {@code at::Context::setAllowTF32CuBLAS(bool)} and {@code allowTF32CuBLAS()
 * const} are exported by {@code libtorch_cpu} under the same mangled names in 2.7.1 and 2.13
 * (Python's setter calls exactly these), and their signatures (a pointer, a bool) cross {@code
 * java.lang.foreign} as plain C values. A libtorch without them fails here with a message naming
 * the symbol; {@code TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1}, exported before the JVM starts, then does
 * the same job. Unlike that variable, the switch can be turned at any time, and read back.
 */
final class MatmulPrecision {
  private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
  private static final String SET_ALLOW_TF32 = "_ZN2at7Context18setAllowTF32CuBLASEb";
  private static final String ALLOW_TF32 = "_ZNK2at7Context15allowTF32CuBLASEv";
  private static MatmulPrecision loaded;

  private final MemorySegment context;
  private final MethodHandle setAllow;
  private final MethodHandle allowed;

  private MatmulPrecision(LibTorch lib) {
    MethodHandle global = symbol(lib, GLOBAL_CONTEXT, FunctionDescriptor.of(ADDRESS));
    try {
      context = (MemorySegment) global.invokeExact();
    } catch (Throwable t) {
      throw new IllegalStateException("at::globalContext() could not be called: " + t, t);
    }
    setAllow = symbol(lib, SET_ALLOW_TF32, FunctionDescriptor.ofVoid(ADDRESS, JAVA_BOOLEAN));
    allowed = symbol(lib, ALLOW_TF32, FunctionDescriptor.of(JAVA_BOOLEAN, ADDRESS));
  }

  static synchronized MatmulPrecision get() {
    if (loaded == null) {
      loaded = new MatmulPrecision(LibTorch.get());
    }
    return loaded;
  }

  void setAllowTf32(boolean allow) {
    try {
      setAllow.invokeExact(context, allow);
    } catch (Throwable t) {
      throw new IllegalStateException("at::Context::setAllowTF32CuBLAS failed: " + t, t);
    }
  }

  boolean allowsTf32() {
    try {
      return (boolean) allowed.invokeExact(context);
    } catch (Throwable t) {
      throw new IllegalStateException("at::Context::allowTF32CuBLAS failed: " + t, t);
    }
  }

  private static MethodHandle symbol(LibTorch lib, String name, FunctionDescriptor descriptor) {
    return lib.optional(name, descriptor)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "libtorch at "
                        + lib.path
                        + " ("
                        + lib.version
                        + ") exports no "
                        + name
                        + ", through which TF32 matrix products are switched on; export"
                        + " TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 before starting instead"));
  }
}
