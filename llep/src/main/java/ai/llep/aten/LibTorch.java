package ai.llep.aten;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ai.djl.engine.Engine;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Every downcall of this package: libtorch's stable C ABI in the {@code libtorch_cpu} that DJL
 * loaded into this process (found in {@code /proc/self/maps}, else by its soname), plus the C++
 * allocator that libtorch frees optional boxes with. Functions newer than 2.7.1 are looked up and
 * used only where present. Handles ({@code AtenTensorHandle}, list handles) travel as longs.
 */
final class LibTorch {
  private static final String LIBRARY = "libtorch_cpu.so";
  private static LibTorch loaded;

  final String path;
  final AbiVersion version;
  private final MethodHandle callDispatcher;
  private final MethodHandle callDispatcherVersioned;
  private final MethodHandle newTensorHandle;
  private final MethodHandle deleteTensor;
  private final MethodHandle getDtype;
  private final MethodHandle newList;
  private final MethodHandle listPushBack;
  private final MethodHandle deleteList;
  private final MethodHandle newBox;
  private final MethodHandle deleteBox;
  private final boolean boxesFromTorch;
  private final MethodHandle exceptionWhat;
  private final SymbolLookup lookup;

  /**
   * One 8-byte out-parameter per thread for the small calls below (a confined arena per call costs
   * more than those calls themselves); no call here re-enters another before reading it.
   */
  private static final ThreadLocal<MemorySegment> OUT =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_LONG));

  private LibTorch(String path, SymbolLookup lookup) {
    this.path = path;
    this.lookup = lookup;
    Linker linker = Linker.nativeLinker();
    this.version =
        AbiVersion.fromPacked(
            (long) invoke(downcall("aoti_torch_abi_version", FunctionDescriptor.of(JAVA_LONG))));
    callDispatcher =
        downcall(
            "aoti_torch_call_dispatcher",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
    callDispatcherVersioned =
        optional(
                "torch_call_dispatcher",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG))
            .orElse(null);
    FunctionDescriptor ofHandle = FunctionDescriptor.of(JAVA_INT, JAVA_LONG);
    // These only allocate, free or read a field, never block or call back: critical downcalls,
    // which skip the thread-state transitions that would cost more than the calls.
    newTensorHandle =
        critical(
            "aoti_torch_new_tensor_handle", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
    deleteTensor = critical("aoti_torch_delete_tensor_object", ofHandle);
    getDtype =
        critical("aoti_torch_get_dtype", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
    newList =
        optional("torch_new_list_reserve_size", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS))
            .orElse(null);
    listPushBack =
        optional("torch_list_push_back", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG))
            .orElse(null);
    deleteList = optional("torch_delete_list", ofHandle).orElse(null);
    Optional<MethodHandle> torchBox =
        optional("torch_new_stable_ivalue", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    boxesFromTorch = torchBox.isPresent();
    if (boxesFromTorch) {
      newBox = torchBox.get();
      deleteBox = downcall("torch_delete_stable_ivalue", ofHandle);
    } else {
      newBox =
          linker.downcallHandle(cxxSymbol("_Znwm"), FunctionDescriptor.of(JAVA_LONG, JAVA_LONG));
      deleteBox = linker.downcallHandle(cxxSymbol("_ZdlPv"), FunctionDescriptor.ofVoid(JAVA_LONG));
    }
    exceptionWhat =
        optional("torch_exception_get_what_without_backtrace", FunctionDescriptor.of(ADDRESS))
            .orElse(null);
  }

  /**
   * The libtorch of this process, loading DJL's PyTorch engine first if needed.
   *
   * @throws IllegalStateException when libtorch or one of the 2.7.1 stable-ABI functions is missing
   */
  static synchronized LibTorch get() {
    if (loaded == null) {
      Engine.getEngine("PyTorch");
      String path = mappedPath().orElse(LIBRARY);
      SymbolLookup lookup =
          path.contains("/")
              ? SymbolLookup.libraryLookup(Path.of(path), Arena.global())
              : SymbolLookup.libraryLookup(path, Arena.global());
      loaded = new LibTorch(path, lookup);
    }
    return loaded;
  }

  /** The dtype code libtorch's {@code aoti_torch_dtype_<name>()} returns. */
  int dtypeCode(String name) {
    return (int) invoke(downcall("aoti_torch_dtype_" + name, FunctionDescriptor.of(JAVA_INT)));
  }

  /** The device-type code libtorch's {@code aoti_torch_device_type_<name>()} returns. */
  int deviceTypeCode(String name) {
    return (int)
        invoke(downcall("aoti_torch_device_type_" + name, FunctionDescriptor.of(JAVA_INT)));
  }

  /** True from 2.10 on: list arguments, {@code torch_call_dispatcher}. */
  boolean hasLists() {
    return newList != null && listPushBack != null && deleteList != null;
  }

  /** True from 2.13 on: the last error's message is kept per thread and can be read directly. */
  boolean hasExceptionText() {
    return exceptionWhat != null;
  }

  /**
   * Runs the operator on {@code stack}. Uses {@code torch_call_dispatcher} where present, telling
   * it that the arguments follow the schemas of 2.10 (so that libtorch adapts them should a later
   * version change a schema), else {@code aoti_torch_call_dispatcher}.
   *
   * @return libtorch's error code, 0 on success
   */
  int dispatch(MemorySegment name, MemorySegment overload, MemorySegment stack) {
    try {
      if (callDispatcherVersioned != null) {
        return (int)
            callDispatcherVersioned.invokeExact(name, overload, stack, AbiVersion.V2_10.packed());
      }
      return (int) callDispatcher.invokeExact(name, overload, stack);
    } catch (Throwable t) {
      throw rethrow("the dispatcher", t);
    }
  }

  /** A new owning handle to the tensor {@code handle} points to (shares its storage). */
  long newTensorHandle(long handle) {
    try {
      MemorySegment out = OUT.get();
      check("aoti_torch_new_tensor_handle", (int) newTensorHandle.invokeExact(handle, out));
      return out.get(JAVA_LONG, 0);
    } catch (Throwable t) {
      throw rethrow("aoti_torch_new_tensor_handle", t);
    }
  }

  void deleteTensor(long handle) {
    try {
      check("aoti_torch_delete_tensor_object", (int) deleteTensor.invokeExact(handle));
    } catch (Throwable t) {
      throw rethrow("aoti_torch_delete_tensor_object", t);
    }
  }

  int dtypeOf(long handle) {
    try {
      MemorySegment out = OUT.get();
      check("aoti_torch_get_dtype", (int) getDtype.invokeExact(handle, out));
      return out.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow("aoti_torch_get_dtype", t);
    }
  }

  long newList(long capacity) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment out = arena.allocate(JAVA_LONG);
      check("torch_new_list_reserve_size", (int) newList.invokeExact(capacity, out));
      return out.get(JAVA_LONG, 0);
    } catch (Throwable t) {
      throw rethrow("torch_new_list_reserve_size", t);
    }
  }

  void listPushBack(long list, long value) {
    try {
      check("torch_list_push_back", (int) listPushBack.invokeExact(list, value));
    } catch (Throwable t) {
      throw rethrow("torch_list_push_back", t);
    }
  }

  void deleteList(long list) {
    try {
      check("torch_delete_list", (int) deleteList.invokeExact(list));
    } catch (Throwable t) {
      throw rethrow("torch_delete_list", t);
    }
  }

  /** An 8-byte box that libtorch may free after reading it (an optional's value). */
  long newBox(long value) {
    try {
      long box;
      if (boxesFromTorch) {
        MemorySegment out = OUT.get();
        check("torch_new_stable_ivalue", (int) newBox.invokeExact(out));
        box = out.get(JAVA_LONG, 0);
      } else {
        box = (long) newBox.invokeExact(8L);
      }
      MemorySegment.ofAddress(box).reinterpret(8).set(JAVA_LONG, 0, value);
      return box;
    } catch (Throwable t) {
      throw rethrow("allocating an optional's box", t);
    }
  }

  void deleteBox(long box) {
    try {
      if (boxesFromTorch) {
        check("torch_delete_stable_ivalue", (int) deleteBox.invokeExact(box));
      } else {
        deleteBox.invokeExact(box);
      }
    } catch (Throwable t) {
      throw rethrow("freeing an optional's box", t);
    }
  }

  /** The calling thread's last libtorch error message (2.13 and later), else null. */
  String lastErrorText() {
    if (exceptionWhat == null) {
      return null;
    }
    try {
      MemorySegment text = (MemorySegment) exceptionWhat.invokeExact();
      return text.address() == 0 ? null : text.reinterpret(1 << 20).getString(0);
    } catch (Throwable t) {
      throw rethrow("torch_exception_get_what_without_backtrace", t);
    }
  }

  /**
   * The C++ allocator function libtorch's own {@code new}/{@code delete} bind to: the dynamic
   * linker searches the global scope first, then libtorch's dependencies (DJL loads libtorch and
   * its libstdc++ locally, so the second is where it is found unless an allocator was preloaded).
   */
  private MemorySegment cxxSymbol(String name) {
    MemorySegment global = GlobalSymbols.find(name);
    if (global.address() != 0) {
      return global;
    }
    return lookup
        .find(name)
        .orElseThrow(() -> new IllegalStateException(path + " does not resolve " + name));
  }

  private MethodHandle downcall(
      String symbol, FunctionDescriptor descriptor, Linker.Option... options) {
    MemorySegment address = lookup.find(symbol).orElseThrow(() -> missing(symbol));
    return Linker.nativeLinker().downcallHandle(address, descriptor, options);
  }

  private IllegalStateException missing(String symbol) {
    return new IllegalStateException(
        "libtorch at " + path + " (" + version + ") has no stable-ABI function " + symbol);
  }

  private MethodHandle critical(String symbol, FunctionDescriptor descriptor) {
    return downcall(symbol, descriptor, Linker.Option.critical(false));
  }

  Optional<MethodHandle> optional(String symbol, FunctionDescriptor descriptor) {
    return lookup.find(symbol).map(a -> Linker.nativeLinker().downcallHandle(a, descriptor));
  }

  private static Object invoke(MethodHandle handle) {
    try {
      return handle.invoke();
    } catch (Throwable t) {
      throw rethrow(handle.toString(), t);
    }
  }

  private static void check(String call, int code) {
    if (code != 0) {
      throw new IllegalStateException(call + " failed with code " + code);
    }
  }

  private static Optional<String> mappedPath() {
    try {
      return Files.readAllLines(Path.of("/proc/self/maps")).stream()
          .map(line -> line.substring(line.lastIndexOf(' ') + 1))
          .filter(p -> p.endsWith("/" + LIBRARY))
          .findFirst();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static RuntimeException rethrow(String what, Throwable t) {
    if (t instanceof RuntimeException e) {
      return e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(what + " could not be called: " + t, t);
  }
}
