package ai.llep.aten;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One call's stack of 64-bit stable values, and the native objects made for it: fresh tensor
 * handles (one per tensor argument, which the call takes over), optional boxes and list handles.
 *
 * <p>Ownership: once libtorch has read an argument it owns (and frees) what the argument carries.
 * After a successful call, or a failed one whose operator was found (every supported argument
 * converts, so libtorch had read them all when it failed), nothing here is ours: {@link #consumed}.
 * After a call that failed because the operator does not exist, libtorch read nothing: {@link
 * #releaseUnconsumed} frees everything. {@link #outstanding} counts the objects between creation
 * and one of those two ends, across all stacks, so tests can see that none is left over.
 */
final class NativeStack {
  /**
   * Zero slots after the declared arguments: a newer libtorch whose schema appended optional
   * arguments reads them as None (0 is None, false, 0 and 0.0), not as stray memory.
   */
  static final int PADDING = 8;

  private static final AtomicLong OUTSTANDING = new AtomicLong();

  private static final ThreadLocal<MemorySegment> SLOTS =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(JAVA_LONG, 32 + PADDING));

  private final LibTorch lib;
  private final MemorySegment slots;
  private final List<Long> tensorHandles = new ArrayList<>();
  private final List<Long> boxes = new ArrayList<>();
  private final List<Long> lists = new ArrayList<>();
  private boolean settled;

  private NativeStack(LibTorch lib, MemorySegment slots) {
    this.lib = lib;
    this.slots = slots;
  }

  /**
   * Builds the stack for {@code values} (checked against {@code op} by the caller) in {@code
   * arena}; on failure frees whatever it had made.
   */
  static NativeStack build(LibTorch lib, AtenOp op, Object[] values, Arena arena) {
    int size = Math.max(op.arguments().size(), op.returns().size()) + PADDING;
    return fill(new NativeStack(lib, arena.allocate(JAVA_LONG, size)), op, values);
  }

  /**
   * {@link #build(LibTorch, AtenOp, Object[], Arena)} in this thread's reusable slots (zeroed
   * first), valid until the thread's next stack: one per call, and a call never re-enters another.
   */
  static NativeStack build(LibTorch lib, AtenOp op, Object[] values) {
    int size = Math.max(op.arguments().size(), op.returns().size()) + PADDING;
    MemorySegment slots = SLOTS.get();
    if (size > slots.byteSize() / Long.BYTES) {
      slots = Arena.ofAuto().allocate(JAVA_LONG, size);
      SLOTS.set(slots);
    }
    MemorySegment used = slots.asSlice(0, size * (long) Long.BYTES).fill((byte) 0);
    return fill(new NativeStack(lib, used), op, values);
  }

  private static NativeStack fill(NativeStack stack, AtenOp op, Object[] values) {
    try {
      for (int i = 0; i < values.length; i++) {
        stack.slots.setAtIndex(JAVA_LONG, i, stack.encode(op.arguments().get(i).kind(), values[i]));
      }
      return stack;
    } catch (RuntimeException | Error e) {
      stack.releaseUnconsumed();
      throw e;
    }
  }

  /** Objects made for stacks and not yet consumed or released, over the whole process. */
  static long outstanding() {
    return OUTSTANDING.get();
  }

  MemorySegment segment() {
    return slots;
  }

  long slot(int index) {
    return slots.getAtIndex(JAVA_LONG, index);
  }

  /** libtorch took over every argument (it read them all). */
  void consumed() {
    settle();
  }

  /** libtorch read no argument: frees every handle, box and list made for this stack. */
  void releaseUnconsumed() {
    if (settled) {
      return;
    }
    RuntimeException first = null;
    for (long h : tensorHandles) {
      first = attempt(() -> lib.deleteTensor(h), first);
    }
    for (long b : boxes) {
      first = attempt(() -> lib.deleteBox(b), first);
    }
    for (long l : lists) {
      first = attempt(() -> lib.deleteList(l), first);
    }
    settle();
    if (first != null) {
      throw first;
    }
  }

  private void settle() {
    if (!settled) {
      settled = true;
      OUTSTANDING.addAndGet(-(tensorHandles.size() + boxes.size() + lists.size()));
    }
  }

  private long encode(ArgKind kind, Object value) {
    if (value == null) {
      return 0;
    }
    return switch (kind) {
      case TENSOR -> freshHandle((NDArray) value);
      case OPTIONAL_TENSOR -> box(freshHandle((NDArray) value));
      case INT -> (Long) value;
      case OPTIONAL_INT -> box((Long) value);
      case DOUBLE -> Double.doubleToRawLongBits((Double) value);
      case OPTIONAL_DOUBLE -> box(Double.doubleToRawLongBits((Double) value));
      case BOOL -> (Boolean) value ? 1 : 0;
      case OPTIONAL_BOOL -> box((Boolean) value ? 1 : 0);
      case SCALAR_TYPE -> ScalarType.of((DataType) value).code();
      case OPTIONAL_SCALAR_TYPE -> box(ScalarType.of((DataType) value).code());
      case DEVICE -> DeviceCodes.encode(lib, (Device) value);
      case OPTIONAL_DEVICE -> box(DeviceCodes.encode(lib, (Device) value));
      case OPTIONAL_NONE_ONLY -> throw new IllegalStateException("only None is allowed");
      case INT_LIST -> intList((long[]) value);
      case TENSOR_LIST -> tensorList((List<?>) value);
    };
  }

  private long freshHandle(NDArray x) {
    long handle = lib.newTensorHandle(DjlTensors.handle(x));
    tensorHandles.add(handle);
    OUTSTANDING.incrementAndGet();
    return handle;
  }

  private long box(long value) {
    long box = lib.newBox(value);
    boxes.add(box);
    OUTSTANDING.incrementAndGet();
    return box;
  }

  private long intList(long[] values) {
    long list = newList(values.length);
    for (long v : values) {
      lib.listPushBack(list, v);
    }
    return list;
  }

  private long tensorList(List<?> tensors) {
    long list = newList(tensors.size());
    for (Object x : tensors) {
      lib.listPushBack(list, freshHandle((NDArray) x));
    }
    return list;
  }

  private long newList(int capacity) {
    long list = lib.newList(capacity);
    lists.add(list);
    OUTSTANDING.incrementAndGet();
    return list;
  }

  private static RuntimeException attempt(Runnable free, RuntimeException first) {
    try {
      free.run();
      return first;
    } catch (RuntimeException e) {
      return first == null ? e : first;
    }
  }
}
