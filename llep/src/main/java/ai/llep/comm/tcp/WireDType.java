package ai.llep.comm.tcp;

import ai.djl.ndarray.types.DataType;

/**
 * The tensor dtypes the wire carries, with codes independent of DJL's enum order. bfloat16 travels
 * as its raw 16-bit patterns (DJL's own calls abort the JVM on bfloat16, so the communicator moves
 * its bits as float16 and reinterprets them through libtorch).
 */
enum WireDType {
  FLOAT32(1, DataType.FLOAT32),
  FLOAT64(2, DataType.FLOAT64),
  FLOAT16(3, DataType.FLOAT16),
  UINT8(4, DataType.UINT8),
  INT8(5, DataType.INT8),
  INT32(6, DataType.INT32),
  INT64(7, DataType.INT64),
  BOOLEAN(8, DataType.BOOLEAN),
  BFLOAT16(9, DataType.BFLOAT16);

  private final byte code;
  private final DataType dataType;

  WireDType(int code, DataType dataType) {
    this.code = (byte) code;
    this.dataType = dataType;
  }

  byte code() {
    return code;
  }

  DataType dataType() {
    return dataType;
  }

  static WireDType of(DataType dataType) {
    for (WireDType type : values()) {
      if (type.dataType == dataType) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "the tcp communicator cannot send dtype "
            + dataType
            + " (supported: float32, float64, float16, bfloat16, uint8, int8, int32, int64,"
            + " boolean)");
  }

  /** The dtype with this wire code, or null. */
  static WireDType fromCode(byte code) {
    for (WireDType type : values()) {
      if (type.code == code) {
        return type;
      }
    }
    return null;
  }
}
