package ai.llep.models.hf;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Counts NaN and infinite values in stored (little-endian) bytes without making a tensor: a
 * floating-point value is non-finite exactly when all bits of its exponent are set.
 */
final class NonFiniteScan {
  private static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt INT_LE =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong LONG_LE =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private static final int F32_EXPONENT = 0x7F80_0000;
  private static final long F64_EXPONENT = 0x7FF0_0000_0000_0000L;
  private static final short F16_EXPONENT = 0x7C00;
  private static final short BF16_EXPONENT = 0x7F80;

  private NonFiniteScan() {}

  static long count(MemorySegment stored, SafetensorsDtype dtype) {
    long count = 0;
    switch (dtype) {
      case F32 -> {
        long n = stored.byteSize() / 4;
        for (long i = 0; i < n; i++) {
          if ((stored.getAtIndex(INT_LE, i) & F32_EXPONENT) == F32_EXPONENT) {
            count++;
          }
        }
      }
      case F64 -> {
        long n = stored.byteSize() / 8;
        for (long i = 0; i < n; i++) {
          if ((stored.getAtIndex(LONG_LE, i) & F64_EXPONENT) == F64_EXPONENT) {
            count++;
          }
        }
      }
      case F16, BF16 -> {
        short mask = dtype == SafetensorsDtype.F16 ? F16_EXPONENT : BF16_EXPONENT;
        long n = stored.byteSize() / 2;
        for (long i = 0; i < n; i++) {
          if ((stored.getAtIndex(SHORT_LE, i) & mask) == mask) {
            count++;
          }
        }
      }
      default -> {
        // Integer and boolean types have no non-finite values.
      }
    }
    return count;
  }
}
