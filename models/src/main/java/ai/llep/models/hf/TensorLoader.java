package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * Copies one stored tensor from mapped bytes into a fresh DJL array, widening BF16 and I16 in Java.
 *
 * <p>DJL takes a direct buffer of at most 2 GiB; a larger tensor is copied in slices along its
 * first dimension and concatenated, which briefly holds the tensor twice.
 */
final class TensorLoader {
  /** The types DJL's PyTorch JNI can create; any other type aborts the JVM inside libtorch. */
  static final Set<DataType> DJL_PYTORCH_TYPES =
      EnumSet.of(
          DataType.FLOAT32,
          DataType.FLOAT64,
          DataType.FLOAT16,
          DataType.UINT8,
          DataType.INT32,
          DataType.INT8,
          DataType.INT64,
          DataType.BOOLEAN);

  static final long DEFAULT_MAX_CHUNK_BYTES = 1L << 30;

  private static final ValueLayout.OfShort SHORT_LE =
      ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private TensorLoader() {}

  static void requireSupported(DataType type, String what) {
    if (!DJL_PYTORCH_TYPES.contains(type)) {
      throw new IllegalArgumentException(
          what + ": DJL's PyTorch engine has no " + type + "; use one of " + DJL_PYTORCH_TYPES);
    }
  }

  /**
   * Loads {@code entry}, whose stored bytes are {@code stored}, into {@code manager} as {@code
   * computeType}. bfloat16 is read as float32 (exact for stored BF16) and cast by libtorch, which
   * DJL cannot do.
   */
  static NDArray load(
      MemorySegment stored,
      TensorEntry entry,
      NDManager manager,
      DataType computeType,
      long maxChunkBytes) {
    if (computeType == DataType.BFLOAT16) {
      try (NDArray wide = load(stored, entry, manager, DataType.FLOAT32, maxChunkBytes)) {
        return Aten.cast(wide, DataType.BFLOAT16);
      }
    }
    requireSupported(computeType, "reading tensor '" + entry.name() + "'");
    long elements = entry.elements();
    long outBytes = elements * entry.dtype().loadedAs.getNumOfBytes();
    if (outBytes <= maxChunkBytes) {
      return convert(copy(stored, entry.dtype(), entry.djlShape(), manager), computeType);
    }
    long rows = entry.shape().length == 0 ? 1 : entry.shape()[0];
    long rowElements = rows == 0 ? 0 : elements / rows;
    long rowsPerChunk = maxChunkBytes / Math.max(1, outBytes / rows);
    if (entry.shape().length == 0 || rowsPerChunk == 0) {
      throw new IllegalArgumentException(
          "tensor '"
              + entry.name()
              + "' of shape "
              + entry.shapeText()
              + " needs "
              + outBytes
              + " bytes in DJL and cannot be split along its first dimension");
    }
    NDList parts = new NDList();
    try {
      for (long row = 0; row < rows; row += rowsPerChunk) {
        long count = Math.min(rowsPerChunk, rows - row);
        long[] dims = entry.shape().clone();
        dims[0] = count;
        long storedRowBytes = rowElements * entry.dtype().bytes;
        MemorySegment slice = stored.asSlice(row * storedRowBytes, count * storedRowBytes);
        parts.add(convert(copy(slice, entry.dtype(), new Shape(dims), manager), computeType));
      }
      return NDArrays.concat(parts, 0);
    } finally {
      parts.close();
    }
  }

  private static NDArray convert(NDArray array, DataType computeType) {
    if (array.getDataType() == computeType) {
      return array;
    }
    try (array) {
      return array.toType(computeType, false);
    }
  }

  private static NDArray copy(
      MemorySegment stored, SafetensorsDtype dtype, Shape shape, NDManager manager) {
    long elements = shape.size();
    int outBytes = Math.toIntExact(elements * dtype.loadedAs.getNumOfBytes());
    ByteBuffer buffer = manager.allocateDirect(outBytes).order(ByteOrder.nativeOrder());
    MemorySegment out = MemorySegment.ofBuffer(buffer);
    if (dtype.copiesVerbatim()) {
      MemorySegment.copy(
          stored,
          dtype.layout(ByteOrder.LITTLE_ENDIAN),
          0,
          out,
          dtype.layout(ByteOrder.nativeOrder()),
          0,
          elements);
    } else if (dtype == SafetensorsDtype.BF16) {
      for (long i = 0; i < elements; i++) {
        out.setAtIndex(
            ValueLayout.JAVA_FLOAT_UNALIGNED, i, Bfloat16.toFloat(stored.getAtIndex(SHORT_LE, i)));
      }
    } else {
      for (long i = 0; i < elements; i++) {
        out.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, stored.getAtIndex(SHORT_LE, i));
      }
    }
    return manager.create(buffer, shape, dtype.loadedAs);
  }
}
