package ai.llep.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CUDA runtime ({@code libcudart}) through {@code java.lang.foreign}: device count and
 * selection, synchronisation, memory information and events. The library is found by name ({@code
 * libcudart.so}, then {@code .so.13}, {@code .so.12}, then any {@code libcudart*.so*} in the
 * folders of {@code PYTORCH_LIBRARY_PATH}); {@value #LIBRARY_ENV} names another. Several copies of
 * the runtime in one process (libtorch may bring its own) are harmless: all of them work on the
 * driver's primary context of each device, so synchronising through this one covers libtorch's work
 * too.
 *
 * <p>The current device is a property of the calling thread; call {@link #setDevice} on the thread
 * that then synchronises, queries memory or records events.
 */
public final class CudaRuntime {
  /** Environment variable naming the CUDA runtime library to load instead of searching. */
  public static final String LIBRARY_ENV = "LLEP_CUDART_LIBRARY";

  static final List<String> NAMES = List.of("libcudart.so", "libcudart.so.13", "libcudart.so.12");
  static final int SUCCESS = 0;
  static final int ERROR_INSUFFICIENT_DRIVER = 35;
  static final int ERROR_NO_DEVICE = 100;
  static final int ERROR_NOT_READY = 600;
  private static final int EVENT_DEFAULT = 0;
  private static final int EVENT_DISABLE_TIMING = 2;
  private static final int STREAM_NON_BLOCKING = 1;
  private static final int ATTRIBUTE_CAPABILITY_MAJOR = 75;
  private static final int ATTRIBUTE_CAPABILITY_MINOR = 76;

  private static CudaRuntime loaded;

  private final NativeLibrary library;
  private final MethodHandle getDeviceCount;
  private final MethodHandle setDevice;
  private final MethodHandle getDevice;
  private final MethodHandle deviceSynchronize;
  private final MethodHandle memGetInfo;
  private final MethodHandle eventCreateWithFlags;
  private final MethodHandle eventRecord;
  private final MethodHandle eventQuery;
  private final MethodHandle eventDestroy;
  private final MethodHandle eventElapsedTime;
  private final MethodHandle streamCreateWithFlags;
  private final MethodHandle streamWaitEvent;
  private final MethodHandle streamDestroy;
  private final MethodHandle getErrorName;
  private final MethodHandle getErrorString;
  private final MethodHandle runtimeGetVersion;
  private final MethodHandle deviceGetAttribute;

  private CudaRuntime(NativeLibrary library) {
    this.library = library;
    FunctionDescriptor intOfPointer = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    getDeviceCount = library.downcall("cudaGetDeviceCount", intOfPointer);
    setDevice = library.downcall("cudaSetDevice", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    getDevice = library.downcall("cudaGetDevice", intOfPointer);
    deviceSynchronize = library.downcall("cudaDeviceSynchronize", FunctionDescriptor.of(JAVA_INT));
    memGetInfo =
        library.downcall("cudaMemGetInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    eventCreateWithFlags =
        library.downcall(
            "cudaEventCreateWithFlags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    eventRecord =
        library.downcall("cudaEventRecord", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    eventQuery = library.downcall("cudaEventQuery", intOfPointer);
    eventDestroy = library.downcall("cudaEventDestroy", intOfPointer);
    eventElapsedTime =
        library.downcall(
            "cudaEventElapsedTime", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    streamCreateWithFlags =
        library.downcall(
            "cudaStreamCreateWithFlags", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    streamWaitEvent =
        library.downcall(
            "cudaStreamWaitEvent", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    streamDestroy = library.downcall("cudaStreamDestroy", intOfPointer);
    getErrorName = library.downcall("cudaGetErrorName", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    getErrorString =
        library.downcall("cudaGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    runtimeGetVersion = library.downcall("cudaRuntimeGetVersion", intOfPointer);
    deviceGetAttribute =
        library.downcall(
            "cudaDeviceGetAttribute", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
  }

  /**
   * The CUDA runtime of this process, loaded on first use.
   *
   * @throws CudaException when no candidate library loads, naming every one tried
   */
  public static synchronized CudaRuntime load() {
    if (loaded == null) {
      try {
        loaded =
            new CudaRuntime(NativeLibrary.open("the CUDA runtime", candidates(System.getenv())));
      } catch (IllegalStateException e) {
        throw new CudaException(
            e.getMessage() + " (set " + LIBRARY_ENV + " to the library's path to choose one)", e);
      }
    }
    return loaded;
  }

  /** The names {@link #load} tries for this environment, in order. */
  static List<String> candidates(Map<String, String> env) {
    return NativeLibrary.candidates(env.get(LIBRARY_ENV), NAMES, besideLibtorch(env));
  }

  /** Runtimes shipped inside a libtorch folder, whose file names carry a hash. */
  private static List<String> besideLibtorch(Map<String, String> env) {
    String folders = env.get("PYTORCH_LIBRARY_PATH");
    List<String> found = new ArrayList<>();
    if (folders == null || folders.isBlank()) {
      return found;
    }
    for (String folder : folders.split(java.io.File.pathSeparator)) {
      Path dir = Path.of(folder.strip());
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> files = Files.list(dir)) {
        files
            .map(p -> p.getFileName().toString())
            .filter(n -> n.startsWith("libcudart") && n.contains(".so"))
            .sorted()
            .forEach(n -> found.add(dir.resolve(n).toAbsolutePath().toString()));
      } catch (IOException e) {
        // An unreadable folder holds no candidate; the error of load() lists what was tried.
      }
    }
    return found;
  }

  /** The library name or path that loaded. */
  public String libraryName() {
    return library.name();
  }

  /** Visible CUDA devices; 0 when there is none or no usable driver. */
  public int deviceCount() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment count = arena.allocate(JAVA_INT);
      int code = (int) getDeviceCount.invokeExact(count);
      if (code == ERROR_NO_DEVICE || code == ERROR_INSUFFICIENT_DRIVER) {
        return 0;
      }
      check("cudaGetDeviceCount", code);
      return count.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow("cudaGetDeviceCount", t);
    }
  }

  /** Makes {@code device} current for the calling thread. */
  public void setDevice(int device) {
    try {
      check("cudaSetDevice(" + device + ")", (int) setDevice.invokeExact(device));
    } catch (Throwable t) {
      throw rethrow("cudaSetDevice", t);
    }
  }

  /** The calling thread's current device. */
  public int device() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment device = arena.allocate(JAVA_INT);
      check("cudaGetDevice", (int) getDevice.invokeExact(device));
      return device.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow("cudaGetDevice", t);
    }
  }

  /** Waits until all work queued on the current device has finished. */
  public void synchronize() {
    try {
      check("cudaDeviceSynchronize", (int) deviceSynchronize.invokeExact());
    } catch (Throwable t) {
      throw rethrow("cudaDeviceSynchronize", t);
    }
  }

  /** Free and total memory of the current device. */
  public MemInfo memInfo() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment free = arena.allocate(JAVA_LONG);
      MemorySegment total = arena.allocate(JAVA_LONG);
      check("cudaMemGetInfo", (int) memGetInfo.invokeExact(free, total));
      return new MemInfo(free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0));
    } catch (Throwable t) {
      throw rethrow("cudaMemGetInfo", t);
    }
  }

  /** The runtime's version, e.g. 13000 for CUDA 13.0. */
  public int runtimeVersion() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment version = arena.allocate(JAVA_INT);
      check("cudaRuntimeGetVersion", (int) runtimeGetVersion.invokeExact(version));
      return version.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow("cudaRuntimeGetVersion", t);
    }
  }

  /** {@code device}'s compute capability as major * 10 + minor (90 for Hopper). */
  public int computeCapability(int device) {
    return 10 * attribute(ATTRIBUTE_CAPABILITY_MAJOR, device)
        + attribute(ATTRIBUTE_CAPABILITY_MINOR, device);
  }

  private int attribute(int attribute, int device) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment value = arena.allocate(JAVA_INT);
      check(
          "cudaDeviceGetAttribute(" + attribute + ", " + device + ")",
          (int) deviceGetAttribute.invokeExact(value, attribute, device));
      return value.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow("cudaDeviceGetAttribute", t);
    }
  }

  /** A new event (without timing) on the current device; the caller closes it. */
  public CudaEvent newEvent() {
    return createEvent(EVENT_DISABLE_TIMING);
  }

  /** A new event that records a timestamp, for {@link CudaEvent#millisSince}. */
  public CudaEvent newTimingEvent() {
    return createEvent(EVENT_DEFAULT);
  }

  private CudaEvent createEvent(int flags) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment event = arena.allocate(ADDRESS);
      int code = (int) eventCreateWithFlags.invokeExact(event, flags);
      check("cudaEventCreateWithFlags", code);
      return new CudaEvent(this, event.get(ADDRESS, 0));
    } catch (Throwable t) {
      throw rethrow("cudaEventCreateWithFlags", t);
    }
  }

  /**
   * A new stream on the current device that does not wait for the legacy default stream (nor it for
   * this one); order it with events. The caller closes it.
   */
  public CudaStream newStream() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment stream = arena.allocate(ADDRESS);
      int code = (int) streamCreateWithFlags.invokeExact(stream, STREAM_NON_BLOCKING);
      check("cudaStreamCreateWithFlags", code);
      return new CudaStream(this, stream.get(ADDRESS, 0));
    } catch (Throwable t) {
      throw rethrow("cudaStreamCreateWithFlags", t);
    }
  }

  float elapsedMillis(MemorySegment start, MemorySegment end) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment millis = arena.allocate(JAVA_FLOAT);
      check("cudaEventElapsedTime", (int) eventElapsedTime.invokeExact(millis, start, end));
      return millis.get(JAVA_FLOAT, 0);
    } catch (Throwable t) {
      throw rethrow("cudaEventElapsedTime", t);
    }
  }

  void waitEvent(MemorySegment stream, MemorySegment event) {
    try {
      check("cudaStreamWaitEvent", (int) streamWaitEvent.invokeExact(stream, event, 0));
    } catch (Throwable t) {
      throw rethrow("cudaStreamWaitEvent", t);
    }
  }

  void destroyStream(MemorySegment stream) {
    try {
      check("cudaStreamDestroy", (int) streamDestroy.invokeExact(stream));
    } catch (Throwable t) {
      throw rethrow("cudaStreamDestroy", t);
    }
  }

  void recordEvent(MemorySegment event, MemorySegment stream) {
    try {
      check("cudaEventRecord", (int) eventRecord.invokeExact(event, stream));
    } catch (Throwable t) {
      throw rethrow("cudaEventRecord", t);
    }
  }

  /** True when the event's work has finished, false while it is pending. */
  boolean queryEvent(MemorySegment event) {
    try {
      int code = (int) eventQuery.invokeExact(event);
      if (code == ERROR_NOT_READY) {
        return false;
      }
      check("cudaEventQuery", code);
      return true;
    } catch (Throwable t) {
      throw rethrow("cudaEventQuery", t);
    }
  }

  void destroyEvent(MemorySegment event) {
    try {
      check("cudaEventDestroy", (int) eventDestroy.invokeExact(event));
    } catch (Throwable t) {
      throw rethrow("cudaEventDestroy", t);
    }
  }

  private void check(String call, int code) {
    if (code != SUCCESS) {
      throw new CudaException(call + " failed: " + describe(code));
    }
  }

  /** "cudaErrorNoDevice (no CUDA-capable device is detected)". */
  String describe(int code) {
    try {
      MemorySegment name = (MemorySegment) getErrorName.invokeExact(code);
      MemorySegment text = (MemorySegment) getErrorString.invokeExact(code);
      return CString.read(name) + " (" + CString.read(text) + ")";
    } catch (Throwable t) {
      return "CUDA error " + code;
    }
  }

  private static RuntimeException rethrow(String call, Throwable t) {
    if (t instanceof RuntimeException e) {
      return e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new CudaException(call + " could not be called: " + t, t);
  }
}
