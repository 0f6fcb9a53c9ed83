package ai.llep.comm.nccl;

import ai.djl.ndarray.types.DataType;

/**
 * DJL dtypes and NCCL's {@code ncclDataType_t} values (from NCCL's public header). Booleans travel
 * as bytes; bfloat16 arrays are made and read through libtorch's own calls (DJL's abort on it).
 */
enum NcclDataType {
  INT8(DataType.INT8, 0, true),
  UINT8(DataType.UINT8, 1, true),
  BOOLEAN(DataType.BOOLEAN, 1, false),
  INT32(DataType.INT32, 2, true),
  INT64(DataType.INT64, 4, true),
  FLOAT16(DataType.FLOAT16, 6, true),
  FLOAT32(DataType.FLOAT32, 7, true),
  FLOAT64(DataType.FLOAT64, 8, true),
  BFLOAT16(DataType.BFLOAT16, 9, true);

  private final DataType dataType;
  private final int code;
  private final boolean reducible;

  NcclDataType(DataType dataType, int code, boolean reducible) {
    this.dataType = dataType;
    this.code = code;
    this.reducible = reducible;
  }

  int code() {
    return code;
  }

  boolean reducible() {
    return reducible;
  }

  static NcclDataType of(DataType dataType) {
    for (NcclDataType type : values()) {
      if (type.dataType == dataType) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "the nccl communicator cannot move dtype "
            + dataType
            + " (supported: float32, float64, float16, bfloat16, uint8, int8, int32, int64,"
            + " boolean)");
  }

  /** Bytes per element of an NCCL dtype code, or -1 for one this project never uses. */
  static int bytesOf(int code) {
    return switch (code) {
      case 0, 1 -> 1;
      case 6, 9 -> 2;
      case 2, 7 -> 4;
      case 4, 8 -> 8;
      default -> -1;
    };
  }
}
