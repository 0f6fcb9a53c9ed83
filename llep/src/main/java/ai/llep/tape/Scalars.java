package ai.llep.tape;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.aten.DjlTensors;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Elementwise operations with a scalar operand, the scalar being a CPU 0-d tensor.
 *
 * <p>DJL's {@code add(Number)}, {@code mul(Number)}, {@code gte(Number)}, {@code clip(Number,
 * Number)} and the like create the number on the tensor's own manager: on a GPU that is a copy from
 * pageable host memory, which waits for the whole CUDA stream, on every call. libtorch reads a CPU
 * 0-d tensor operand of a CUDA elementwise operator as a kernel argument instead (no copy, no
 * wait), with the type promotion of a 0-d tensor of the same dtype. On the CPU nothing changes.
 *
 * <p>The scalar's dtype decides the result (as with DJL): the methods taking a {@link Number} give
 * the scalar DJL's dtype for that Number's class (Double float64, Float float32, Integer int32,
 * Long int64), so a call {@code x.add(eps)} becomes {@code Scalars.add(x, eps)} with the same
 * result; {@link #mul(NDArray, double)} and {@link #div(NDArray, double)} give it {@code x}'s
 * dtype.
 *
 * <p>Constants are cached for the life of the process, per (value, dtype); a value that changes
 * every step (a token count, a learning-rate factor) goes through {@link #fresh} or {@link
 * #divOnce} instead, and is closed after use. Every scalar's memory is owned by libtorch, so
 * autograd may keep it for the backward (a tensor over a Java buffer would be freed by the garbage
 * collector under it).
 */
public final class Scalars {
  private static final NDManager CPU = NDManager.newBaseManager(Device.cpu(), "PyTorch");
  private static final Map<Key, NDArray> CONSTANTS = new ConcurrentHashMap<>();

  private static final Map<DeviceKey, NDArray> DEVICE_CONSTANTS = new ConcurrentHashMap<>();

  private record Key(long bits, DataType type) {}

  private record DeviceKey(long bits, DataType type, String device) {}

  private Scalars() {}

  /** {@code x * value}, the constant in {@code x}'s dtype; safe to differentiate. */
  public static NDArray mul(NDArray x, double value) {
    return x.mul(constant(value, DjlTensors.dtype(x)));
  }

  /**
   * {@code x / value}, the constant in {@code x}'s dtype; safe to differentiate. A device constant:
   * CUDA divides by a CPU scalar as a product with its reciprocal, which rounds differently.
   */
  public static NDArray div(NDArray x, double value) {
    return x.div(deviceConstant(value, DjlTensors.dtype(x), x.getDevice()));
  }

  /** {@code x / value} for a value used once (a token count): in {@code x}'s dtype, not cached. */
  public static NDArray divOnce(NDArray x, double value) {
    try (NDArray scalar = onDevice(value, DjlTensors.dtype(x), x.getDevice())) {
      return x.div(scalar);
    }
  }

  /** {@code x + value}, as DJL's {@code x.add(value)}. */
  public static NDArray add(NDArray x, Number value) {
    return x.add(operand(x, value));
  }

  /** {@code x >= value}, as DJL's {@code x.gte(value)}. */
  public static NDArray gte(NDArray x, Number value) {
    return x.gte(operand(x, value));
  }

  /** {@code x *= value} in place, as DJL's {@code x.muli(value)}; returns {@code x}. */
  public static NDArray muli(NDArray x, Number value) {
    return x.muli(operand(x, value));
  }

  /**
   * A new 0-d tensor {@code value} of {@code type} on {@code device}, filled there from a CPU
   * scalar (no host-to-device copy, no wait); the caller closes it.
   */
  public static NDArray onDevice(double value, DataType type, Device device) {
    if (!device.isGpu()) {
      return fresh(value, type);
    }
    NDArray scalar = Aten.zeros(CPU, new Shape(), type, device);
    return scalar.addi(constant(value, type));
  }

  /** The cached 0-d constant {@code value} of {@code type} on {@code device}; never close it. */
  public static NDArray deviceConstant(double value, DataType type, Device device) {
    if (!device.isGpu()) {
      return constant(value, type);
    }
    return DEVICE_CONSTANTS.computeIfAbsent(
        new DeviceKey(Double.doubleToLongBits(value), type, device.toString()),
        k -> kept(onDevice(value, type, device)));
  }

  /**
   * The operand DJL's {@code op(value)} would use: the CPU scalar where CUDA gives the same bits
   * for it (checked for add, mul and comparisons), a device constant where it does not (a
   * float32/float64 scalar beside a bfloat16/float16 tensor: a device scalar is rounded to the
   * tensor's dtype first, a CPU one is not).
   */
  private static NDArray operand(NDArray x, Number value) {
    DataType scalarType = typeOf(value);
    DataType type = DjlTensors.dtype(x);
    boolean reduced = type == DataType.BFLOAT16 || type == DataType.FLOAT16;
    if (x.getDevice().isGpu() && reduced && scalarType.isFloating()) {
      return deviceConstant(value.doubleValue(), scalarType, x.getDevice());
    }
    return constant(value);
  }

  /**
   * {@code x} clamped to {@code [min, max]}, as DJL's {@code x.clip(min, max)} (whose bounds are
   * device tensors): the same values and the same gradient (1 inside the bounds, on them included,
   * 0 outside).
   */
  public static NDArray clip(NDArray x, Number min, Number max) {
    Device device = x.getDevice();
    return Aten.clamp(
        x,
        deviceConstant(min.doubleValue(), typeOf(min), device),
        deviceConstant(max.doubleValue(), typeOf(max), device));
  }

  /**
   * The cached CPU 0-d constant with DJL's dtype for {@code value}'s class; never close it. As a
   * raw operand it gives CUDA's bits only next to a tensor of that dtype (next to bfloat16 or
   * float16 a float constant is not rounded to the tensor's dtype first): use the methods above
   * otherwise.
   */
  public static NDArray constant(Number value) {
    return constant(value.doubleValue(), typeOf(value), value);
  }

  /** The cached CPU 0-d constant {@code value} of {@code type}; never close it. */
  public static NDArray constant(double value, DataType type) {
    return constant(value, type, value);
  }

  /**
   * A new CPU 0-d tensor with DJL's dtype for {@code value}'s class, for a value that changes from
   * step to step; the caller closes it (autograd keeps what it needs).
   */
  public static NDArray fresh(Number value) {
    return make(value, typeOf(value));
  }

  /**
   * A new CPU 0-d tensor {@code value} of {@code type}, as {@link #fresh(Number)}. bfloat16 goes
   * through libtorch's own cast (DJL's aborts the JVM on it).
   */
  public static NDArray fresh(double value, DataType type) {
    return make(value, type);
  }

  private static NDArray constant(double value, DataType type, Number exact) {
    long bits =
        exact instanceof Long || exact instanceof Integer
            ? exact.longValue()
            : Double.doubleToLongBits(value);
    return CONSTANTS.computeIfAbsent(new Key(bits, type), k -> kept(make(exact, type)));
  }

  /** {@code scalar}, taken out of the open NDScope (which would close it) so that it lives on. */
  private static NDArray kept(NDArray scalar) {
    NDScope.unregister(scalar);
    return scalar;
  }

  private static NDArray make(Number value, DataType type) {
    try (NDArray javaOwned = CPU.create(value)) {
      DataType own = javaOwned.getDataType();
      if (type == own) {
        return javaOwned.duplicate();
      }
      if (type == DataType.BFLOAT16) {
        return Aten.cast(javaOwned, type);
      }
      return javaOwned.toType(type, false);
    }
  }

  private static DataType typeOf(Number value) {
    return switch (value) {
      case Double _ -> DataType.FLOAT64;
      case Float _ -> DataType.FLOAT32;
      case Integer _ -> DataType.INT32;
      case Long _ -> DataType.INT64;
      default ->
          throw new IllegalArgumentException(
              "a scalar operand must be a Double, Float, Integer or Long, got "
                  + value.getClass().getSimpleName());
    };
  }
}
