package ai.llep.aten;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

/**
 * Runs a native call with the process's standard error (file descriptor 2) pointed at an anonymous
 * in-memory file, and returns what was written there. libtorch before 2.13 reports a failed
 * dispatcher call only by logging {@code Exception in aoti_torch: <message>} to standard error, so
 * this is how its message is read.
 *
 * <p>Descriptor 2 belongs to the whole process: while a capture runs, other threads' writes to it
 * land in the capture too. Captures are therefore serialised and short (one failed operator call,
 * repeated), and the caller hands back to standard error whatever it does not keep. Linux only
 * ({@code memfd_create}); where the capture cannot be set up the call runs uncaptured.
 */
final class StderrCapture {
  private static final int STDERR = 2;
  private static final int SEEK_SET = 0;
  private static final int SEEK_END = 2;
  private static final Object LOCK = new Object();
  private static final MethodHandle DUP;
  private static final MethodHandle DUP2;
  private static final MethodHandle CLOSE;
  private static final MethodHandle MEMFD_CREATE;
  private static final MethodHandle LSEEK;
  private static final MethodHandle READ;

  static {
    Linker linker = Linker.nativeLinker();
    SymbolLookup libc = linker.defaultLookup();
    FunctionDescriptor intOfInt = FunctionDescriptor.of(JAVA_INT, JAVA_INT);
    DUP = linker.downcallHandle(libc.find("dup").orElseThrow(), intOfInt);
    CLOSE = linker.downcallHandle(libc.find("close").orElseThrow(), intOfInt);
    DUP2 =
        linker.downcallHandle(
            libc.find("dup2").orElseThrow(), FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    MEMFD_CREATE =
        linker.downcallHandle(
            libc.find("memfd_create").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    LSEEK =
        linker.downcallHandle(
            libc.find("lseek").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    READ =
        linker.downcallHandle(
            libc.find("read").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
  }

  /** The call's result and what it wrote to standard error; {@code text} null if not captured. */
  record Captured(int result, String text) {}

  private StderrCapture() {}

  static Captured run(IntSupplier call) {
    synchronized (LOCK) {
      try (Arena arena = Arena.ofConfined()) {
        int memory = (int) MEMFD_CREATE.invokeExact(arena.allocateFrom("llep-aten-stderr"), 0);
        int saved = memory < 0 ? -1 : (int) DUP.invokeExact(STDERR);
        if (saved < 0) {
          close(memory);
          return new Captured(call.getAsInt(), null);
        }
        System.err.flush();
        boolean redirected = (int) DUP2.invokeExact(memory, STDERR) >= 0;
        int result;
        try {
          result = call.getAsInt();
        } finally {
          if (redirected) {
            int _ = (int) DUP2.invokeExact(saved, STDERR);
          }
          close(saved);
        }
        String text = redirected ? readAll(memory, arena) : null;
        close(memory);
        return new Captured(result, text);
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException("could not capture standard error: " + t, t);
      }
    }
  }

  private static void close(int fd) throws Throwable {
    if (fd >= 0) {
      int _ = (int) CLOSE.invokeExact(fd);
    }
  }

  private static String readAll(int fd, Arena arena) throws Throwable {
    long size = (long) LSEEK.invokeExact(fd, 0L, SEEK_END);
    long start = (long) LSEEK.invokeExact(fd, 0L, SEEK_SET);
    if (size <= 0 || start != 0) {
      return "";
    }
    MemorySegment buffer = arena.allocate(size);
    long filled = 0;
    while (filled < size) {
      long n = (long) READ.invokeExact(fd, buffer.asSlice(filled), size - filled);
      if (n <= 0) {
        break;
      }
      filled += n;
    }
    return new String(buffer.asSlice(0, filled).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
  }
}
