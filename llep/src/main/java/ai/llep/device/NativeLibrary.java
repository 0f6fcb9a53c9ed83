package ai.llep.device;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * A shared library opened through the system's loader, for {@code java.lang.foreign} downcalls.
 * Libraries are found by name ({@code libnccl.so.2}), so the loader's own search (the run-time
 * linker cache, {@code LD_LIBRARY_PATH}, libraries already loaded into the process) decides where
 * they come from; a candidate with a {@code /} is a file path. Opened libraries stay loaded for the
 * life of the JVM.
 */
public final class NativeLibrary {
  private final String what;
  private final String name;
  private final SymbolLookup lookup;

  private NativeLibrary(String what, String name, SymbolLookup lookup) {
    this.what = what;
    this.name = name;
    this.lookup = lookup;
  }

  /**
   * Opens the first candidate that loads.
   *
   * @param what a human name for errors ("the NCCL library")
   * @param candidates names or paths, tried in order
   * @throws IllegalStateException listing every candidate and why it failed
   */
  public static NativeLibrary open(String what, List<String> candidates) {
    if (candidates.isEmpty()) {
      throw new IllegalArgumentException("no candidate names for " + what);
    }
    List<String> failures = new ArrayList<>();
    for (String candidate : candidates) {
      try {
        SymbolLookup lookup =
            candidate.contains("/")
                ? SymbolLookup.libraryLookup(Path.of(candidate), Arena.global())
                : SymbolLookup.libraryLookup(candidate, Arena.global());
        return new NativeLibrary(what, candidate, lookup);
      } catch (IllegalArgumentException | IllegalCallerException e) {
        failures.add(candidate + " (" + e.getMessage() + ")");
      }
    }
    throw new IllegalStateException(
        "cannot load " + what + "; tried " + String.join(", ", failures));
  }

  /**
   * The names to try: only {@code override} when it is set (a library the user named must be the
   * one used), else {@code defaults} followed by {@code extra}, without repeats.
   */
  public static List<String> candidates(
      String override, List<String> defaults, List<String> extra) {
    if (override != null && !override.isBlank()) {
      return List.of(override.strip());
    }
    LinkedHashSet<String> names = new LinkedHashSet<>(defaults);
    names.addAll(extra);
    return List.copyOf(names);
  }

  /** The candidate that loaded. */
  public String name() {
    return name;
  }

  /** True when the library exports {@code symbol}. */
  public boolean has(String symbol) {
    return lookup.find(symbol).isPresent();
  }

  /**
   * A downcall handle for {@code symbol}.
   *
   * @throws IllegalStateException when the library lacks the symbol (usually: too old a version)
   */
  public MethodHandle downcall(String symbol, FunctionDescriptor descriptor) {
    MemorySegment address =
        lookup
            .find(symbol)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        what + " (" + name + ") has no symbol " + symbol + "; is it too old?"));
    return Linker.nativeLinker().downcallHandle(address, descriptor);
  }
}
