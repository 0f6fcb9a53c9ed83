package ai.llep.device;

import java.lang.foreign.MemorySegment;

/** Reads NUL-terminated strings that native libraries return (static storage, never freed). */
public final class CString {
  private static final long MAX_BYTES = 64 * 1024;

  private CString() {}

  /** The text at {@code pointer}, or the empty string for NULL. */
  public static String read(MemorySegment pointer) {
    if (pointer == null || pointer.address() == 0) {
      return "";
    }
    return pointer.reinterpret(MAX_BYTES).getString(0);
  }
}
