package ai.llep.aten;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** {@code dlsym(RTLD_DEFAULT, name)}: a symbol in the process's global scope, or NULL. */
final class GlobalSymbols {
  private static final MethodHandle DLSYM =
      Linker.nativeLinker()
          .downcallHandle(
              Linker.nativeLinker().defaultLookup().find("dlsym").orElseThrow(),
              FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));

  private GlobalSymbols() {}

  static MemorySegment find(String name) {
    try (Arena arena = Arena.ofConfined()) {
      return (MemorySegment) DLSYM.invokeExact(MemorySegment.NULL, arena.allocateFrom(name));
    } catch (Throwable t) {
      return MemorySegment.NULL;
    }
  }
}
