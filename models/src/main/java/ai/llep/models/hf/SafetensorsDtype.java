package ai.llep.models.hf;

import ai.djl.ndarray.types.DataType;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Optional;

/**
 * The element types of the safetensors format, with the DJL type each one is loaded as. BF16 and
 * I16 have no DJL PyTorch counterpart and are widened (to float32 and int32) while copying.
 */
enum SafetensorsDtype {
  F64(8, DataType.FLOAT64),
  F32(4, DataType.FLOAT32),
  F16(2, DataType.FLOAT16),
  BF16(2, DataType.FLOAT32),
  I64(8, DataType.INT64),
  I32(4, DataType.INT32),
  I16(2, DataType.INT32),
  I8(1, DataType.INT8),
  U8(1, DataType.UINT8),
  BOOL(1, DataType.BOOLEAN);

  final int bytes;
  final DataType loadedAs;

  SafetensorsDtype(int bytes, DataType loadedAs) {
    this.bytes = bytes;
    this.loadedAs = loadedAs;
  }

  /** Whether the stored bytes reach DJL unchanged (up to byte order). */
  boolean copiesVerbatim() {
    return this != BF16 && this != I16;
  }

  /** The layout of one stored element in the given byte order, without alignment constraints. */
  ValueLayout layout(ByteOrder order) {
    return switch (bytes) {
      case 1 -> ValueLayout.JAVA_BYTE;
      case 2 -> ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(order);
      case 4 -> ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
      default -> ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
    };
  }

  static Optional<SafetensorsDtype> parse(String name) {
    for (SafetensorsDtype dtype : values()) {
      if (dtype.name().equals(name)) {
        return Optional.of(dtype);
      }
    }
    return Optional.empty();
  }

  /** The stored type of a DJL array written as is. */
  static SafetensorsDtype of(DataType type) {
    return switch (type) {
      case FLOAT64 -> F64;
      case FLOAT32 -> F32;
      case FLOAT16 -> F16;
      case INT64 -> I64;
      case INT32 -> I32;
      case INT8 -> I8;
      case UINT8 -> U8;
      case BOOLEAN -> BOOL;
      default ->
          throw new IllegalArgumentException(
              "cannot store a DJL " + type + " array in safetensors");
    };
  }
}
