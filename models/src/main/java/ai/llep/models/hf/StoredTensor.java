package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A DJL array on its way to a safetensors file, with the type it will be stored as. */
record StoredTensor(String name, SafetensorsDtype dtype, long[] shape, NDArray source) {

  static StoredTensor of(String name, NDArray array, SafetensorsWriter.FloatStorage floats) {
    TensorLoader.requireSupported(array.getDataType(), "writing tensor '" + name + "'");
    SafetensorsDtype dtype =
        floats == SafetensorsWriter.FloatStorage.BF16 && array.getDataType().isFloating()
            ? SafetensorsDtype.BF16
            : SafetensorsDtype.of(array.getDataType());
    return new StoredTensor(name, dtype, array.getShape().getShape(), array);
  }

  long byteSize() {
    return Math.multiplyExact(source.getShape().size(), dtype.bytes);
  }

  /** The stored bytes, little-endian as the format requires. */
  ByteBuffer littleEndianBytes() {
    if (dtype == SafetensorsDtype.BF16) {
      return bfloat16Bytes();
    }
    ByteBuffer nativeBytes = source.toByteBuffer();
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

  private ByteBuffer bfloat16Bytes() {
    ByteBuffer floats;
    if (source.getDataType() == DataType.FLOAT32) {
      floats = source.toByteBuffer();
    } else {
      try (NDArray widened = source.toType(DataType.FLOAT32, false)) {
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
