package ai.llep.models.hf;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.Arrays;

/**
 * A tensor on its way to a safetensors file, with the type it is stored as. Its array is opened
 * only when its bytes are written ({@link Opener}): an array the caller holds, or one read from a
 * {@link TensorSource} then and freed right after, so that a writer streaming a model holds one
 * tensor at a time. The bytes go out in slices of at most {@link #SLICE_BYTES} along the first
 * dimension (DJL copies a tensor to the host through one buffer of at most 2 GiB).
 */
record StoredTensor(String name, SafetensorsDtype dtype, long[] shape, Opener source) {
  static final long SLICE_BYTES = 256L << 20;

  /** Opens the array to write, attached to {@code scope} if it is made for the write. */
  interface Opener {
    NDArray open(NDManager scope);
  }

  /** An array in memory, stored as {@code floats} says. */
  static StoredTensor of(String name, NDArray array, SafetensorsWriter.FloatStorage floats) {
    DataType type = Aten.dtype(array);
    if (type != DataType.BFLOAT16) {
      TensorLoader.requireSupported(type, "writing tensor '" + name + "'");
    }
    SafetensorsDtype dtype = type.isFloating() ? floats.storedAs(type) : SafetensorsDtype.of(type);
    return new StoredTensor(name, dtype, array.getShape().getShape(), scope -> array);
  }

  /** Tensor {@code name} of {@code source}, read when written and stored as {@code dtype}. */
  static StoredTensor streamed(String name, TensorSource source, SafetensorsDtype dtype) {
    DataType readAs = dtype == SafetensorsDtype.BF16 ? DataType.FLOAT32 : dtype.loadedAs;
    return new StoredTensor(
        name, dtype, source.shape(name).getShape(), scope -> source.read(name, scope, readAs));
  }

  long byteSize() {
    long elements = 1;
    for (long dim : shape) {
      elements = Math.multiplyExact(elements, dim);
    }
    return Math.multiplyExact(elements, dtype.bytes);
  }

  /** Writes the stored bytes, little-endian as the format requires. */
  void writeTo(FileChannel channel) throws IOException {
    writeTo(channel, SLICE_BYTES);
  }

  /** {@link #writeTo(FileChannel)} in slices of at most {@code sliceBytes} (at least one row). */
  void writeTo(FileChannel channel, long sliceBytes) throws IOException {
    try (NDManager scope = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      NDArray array = source.open(scope);
      if (array.isReleased()) {
        throw new IllegalStateException("tensor '" + name + "' is closed");
      }
      if (!Arrays.equals(array.getShape().getShape(), shape)) {
        throw new IllegalStateException(
            "tensor '" + name + "' is " + array.getShape() + ", announced as " + shapeText());
      }
      long rows = shape.length == 0 ? 1 : shape[0];
      long rowBytes = rows == 0 ? 0 : byteSize() / rows;
      long perSlice = Math.max(1, sliceBytes / Math.max(1, rowBytes));
      if (shape.length == 0 || rows <= perSlice) {
        AtomicFiles.writeFully(channel, littleEndianBytes(array));
        return;
      }
      for (long row = 0; row < rows; row += perSlice) {
        try (NDArray slice = array.get(new NDIndex("{}:{}", row, Math.min(rows, row + perSlice)))) {
          AtomicFiles.writeFully(channel, littleEndianBytes(slice));
        }
      }
    }
  }

  private ByteBuffer littleEndianBytes(NDArray array) {
    if (dtype == SafetensorsDtype.BF16) {
      return bfloat16Bytes(array);
    }
    ByteBuffer nativeBytes;
    if (Aten.dtype(array) == dtype.loadedAs) {
      nativeBytes = array.toByteBuffer();
    } else {
      try (NDArray converted = Aten.cast(array, dtype.loadedAs)) {
        nativeBytes = converted.toByteBuffer();
      }
    }
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN || dtype.bytes == 1) {
      return nativeBytes.rewind();
    }
    ByteBuffer little = ByteBuffer.allocate(nativeBytes.capacity());
    MemorySegment.copy(
        MemorySegment.ofBuffer(nativeBytes),
        dtype.layout(ByteOrder.nativeOrder()),
        0,
        MemorySegment.ofBuffer(little),
        dtype.layout(ByteOrder.LITTLE_ENDIAN),
        0,
        nativeBytes.capacity() / dtype.bytes);
    return little;
  }

  /** bfloat16 arrays keep their bits; others are rounded from float32 to nearest even. */
  private static ByteBuffer bfloat16Bytes(NDArray array) {
    DataType type = Aten.dtype(array);
    if (type == DataType.BFLOAT16) {
      try (NDArray bits = Aten.reinterpret(array, DataType.FLOAT16)) {
        return littleEndianShorts(bits.toByteBuffer());
      }
    }
    ByteBuffer floats;
    if (type == DataType.FLOAT32) {
      floats = array.toByteBuffer();
    } else {
      try (NDArray widened = Aten.cast(array, DataType.FLOAT32)) {
        floats = widened.toByteBuffer();
      }
    }
    MemorySegment in = MemorySegment.ofBuffer(floats);
    long count = in.byteSize() / 4;
    ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(count * 2));
    MemorySegment outSegment = MemorySegment.ofBuffer(out);
    ValueLayout.OfShort shortLe =
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    ValueLayout.OfFloat floatNative = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(floats.order());
    for (long i = 0; i < count; i++) {
      outSegment.setAtIndex(shortLe, i, Bfloat16.fromFloat(in.getAtIndex(floatNative, i)));
    }
    return out;
  }

  private static ByteBuffer littleEndianShorts(ByteBuffer nativeBytes) {
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      return nativeBytes.rewind();
    }
    ByteBuffer little = ByteBuffer.allocate(nativeBytes.capacity());
    MemorySegment.copy(
        MemorySegment.ofBuffer(nativeBytes),
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder()),
        0,
        MemorySegment.ofBuffer(little),
        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN),
        0,
        nativeBytes.capacity() / 2);
    return little;
  }

  private String shapeText() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof StoredTensor that
        && name.equals(that.name)
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape)
        && source == that.source;
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }
}
