package ai.llep.aten;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One call of an {@link AtenOp}: arguments are given in the schema's order, each checked against
 * its declared kind, then {@link #run} calls the dispatcher and wraps the results under the given
 * manager. Arguments are only recorded until {@code run}, so a builder can be run again.
 *
 * <pre>{@code
 * NDArray y = AtenCall.of(SCATTER_ADD).tensor(self).integer(0).tensor(index).tensor(src)
 *     .run(manager).tensor(0);
 * }</pre>
 */
public final class AtenCall {
  private static final Set<ArgKind> TENSOR = EnumSet.of(ArgKind.TENSOR, ArgKind.OPTIONAL_TENSOR);
  private static final Set<ArgKind> INT = EnumSet.of(ArgKind.INT, ArgKind.OPTIONAL_INT);
  private static final Set<ArgKind> DOUBLE = EnumSet.of(ArgKind.DOUBLE, ArgKind.OPTIONAL_DOUBLE);
  private static final Set<ArgKind> BOOL = EnumSet.of(ArgKind.BOOL, ArgKind.OPTIONAL_BOOL);
  private static final Set<ArgKind> TYPE =
      EnumSet.of(ArgKind.SCALAR_TYPE, ArgKind.OPTIONAL_SCALAR_TYPE);
  private static final Set<ArgKind> DEVICE = EnumSet.of(ArgKind.DEVICE, ArgKind.OPTIONAL_DEVICE);

  private final AtenOp op;
  private final Object[] values;
  private int next;

  private AtenCall(AtenOp op) {
    this.op = op;
    this.values = new Object[op.arguments().size()];
  }

  public static AtenCall of(AtenOp op) {
    return new AtenCall(op);
  }

  /** A {@code Tensor} or a present {@code Tensor?}. */
  public AtenCall tensor(NDArray x) {
    DjlTensors.pt(Objects.requireNonNull(x, "tensor"));
    return put(TENSOR, x);
  }

  /** A {@code Tensor?}: {@code x}, or None when null. */
  public AtenCall optionalTensor(NDArray x) {
    return x == null ? none() : tensor(x);
  }

  /** An {@code int} or {@code SymInt}, or a present {@code int?}. */
  public AtenCall integer(long value) {
    return put(INT, value);
  }

  /** A {@code float} (a double), or a present {@code float?}. */
  public AtenCall real(double value) {
    return put(DOUBLE, value);
  }

  public AtenCall bool(boolean value) {
    return put(BOOL, value);
  }

  /** A {@code ScalarType} or a present {@code ScalarType?}. */
  public AtenCall scalarType(DataType type) {
    ScalarType.of(type);
    return put(TYPE, type);
  }

  /** A {@code Device} or a present {@code Device?}. */
  public AtenCall device(Device device) {
    return put(DEVICE, Objects.requireNonNull(device, "device"));
  }

  /** None, for any optional argument. */
  public AtenCall none() {
    ArgKind kind = expected().kind();
    if (!kind.optional()) {
      throw mismatch("None");
    }
    values[next++] = null;
    return this;
  }

  /** An {@code int[]} or {@code SymInt[]} (libtorch 2.10 and later). */
  public AtenCall ints(long... values) {
    return put(EnumSet.of(ArgKind.INT_LIST), values.clone());
  }

  /** A {@code Tensor[]} (libtorch 2.10 and later). */
  public AtenCall tensors(List<NDArray> tensors) {
    tensors.forEach(DjlTensors::pt);
    return put(EnumSet.of(ArgKind.TENSOR_LIST), List.copyOf(tensors));
  }

  /**
   * Calls the operator.
   *
   * @param manager a PyTorch-engine manager that receives every returned tensor
   * @throws AtenException when libtorch fails, with its message
   * @throws UnsupportedOperationException when this libtorch cannot carry an argument (lists before
   *     2.10); nothing was created then
   */
  public AtenResult run(NDManager manager) {
    if (next != values.length) {
      throw new IllegalStateException(
          op.qualifiedName()
              + " takes "
              + values.length
              + " arguments, "
              + next
              + " given; next is "
              + op.arguments().get(next).name());
    }
    if (!manager.isOpen()) {
      throw new IllegalStateException("the result manager is closed");
    }
    checkOpen();
    LibTorch lib = LibTorch.get();
    if (op.needsLists() && !lib.hasLists()) {
      throw new UnsupportedOperationException(
          op.qualifiedName()
              + " takes a list argument; libtorch "
              + lib.version
              + "'s stable ABI has no lists (they came in 2.10)");
    }
    OpNames names = OpNames.of(op);
    NativeStack stack = NativeStack.build(lib, op, values);
    if (lib.dispatch(names.name(), names.overload(), stack.segment()) == 0) {
      stack.consumed();
      return results(lib, stack, manager);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment name = names.name();
      MemorySegment overload = names.overload();
      Failure failure;
      try {
        failure = Failure.diagnose(lib, op, values, name, overload, arena);
      } catch (RuntimeException e) {
        stack.consumed();
        throw new AtenException(
            op,
            "it failed, and reading libtorch's message failed too (" + e + ")",
            ArgumentText.describe(op, values));
      }
      if (failure.operatorMissing()) {
        stack.releaseUnconsumed();
      } else {
        stack.consumed();
      }
      throw new AtenException(op, failure.message(), ArgumentText.describe(op, values));
    }
  }

  private AtenResult results(LibTorch lib, NativeStack stack, NDManager manager) {
    List<ReturnKind> kinds = op.returns();
    long[] raw = new long[kinds.size()];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = stack.slot(i);
    }
    List<NDArray> tensors = new ArrayList<>();
    if (!kinds.isEmpty() && kinds.getFirst() == ReturnKind.TENSOR) {
      int wrapped = 0;
      try {
        for (; wrapped < raw.length; wrapped++) {
          tensors.add(DjlTensors.wrap(manager, raw[wrapped]));
        }
      } catch (RuntimeException e) {
        for (int i = wrapped; i < raw.length; i++) {
          lib.deleteTensor(raw[i]);
        }
        throw e;
      }
    }
    return new AtenResult(tensors, raw, kinds);
  }

  private void checkOpen() {
    for (Object v : values) {
      if (v instanceof NDArray x) {
        DjlTensors.handle(x);
      } else if (v instanceof List<?> xs) {
        xs.forEach(x -> DjlTensors.handle((NDArray) x));
      }
    }
  }

  private AtenCall put(Set<ArgKind> accepted, Object value) {
    ArgKind kind = expected().kind();
    if (!accepted.contains(kind)) {
      throw mismatch(accepted.iterator().next().toString());
    }
    values[next++] = value;
    return this;
  }

  private AtenOp.Argument expected() {
    if (next >= values.length) {
      throw new IllegalStateException(
          op.qualifiedName() + " takes " + values.length + " arguments; one more was given");
    }
    return op.arguments().get(next);
  }

  private IllegalArgumentException mismatch(String given) {
    AtenOp.Argument a = op.arguments().get(next);
    return new IllegalArgumentException(
        op.qualifiedName()
            + " argument "
            + next
            + " ("
            + a.name()
            + ") is "
            + a.kind()
            + ", got "
            + given);
  }
}
