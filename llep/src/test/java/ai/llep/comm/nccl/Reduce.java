package ai.llep.comm.nccl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Element-wise sum or max of the fake's all-reduce, in rank order, for the dtypes tests use. */
final class Reduce {
  private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
  private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
  private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
  private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

  private Reduce() {}

  static void into(MemorySegment acc, MemorySegment other, long count, int type, int op) {
    boolean max = op == 2;
    for (long i = 0; i < count; i++) {
      switch (type) {
        case 7 -> {
          float a = acc.getAtIndex(F32, i);
          float b = other.getAtIndex(F32, i);
          acc.setAtIndex(F32, i, max ? Math.max(a, b) : a + b);
        }
        case 8 -> {
          double a = acc.getAtIndex(F64, i);
          double b = other.getAtIndex(F64, i);
          acc.setAtIndex(F64, i, max ? Math.max(a, b) : a + b);
        }
        case 2 -> {
          int a = acc.getAtIndex(I32, i);
          int b = other.getAtIndex(I32, i);
          acc.setAtIndex(I32, i, max ? Math.max(a, b) : a + b);
        }
        case 4 -> {
          long a = acc.getAtIndex(I64, i);
          long b = other.getAtIndex(I64, i);
          acc.setAtIndex(I64, i, max ? Math.max(a, b) : a + b);
        }
        default -> throw new IllegalArgumentException("the fake cannot reduce NCCL dtype " + type);
      }
    }
  }
}
