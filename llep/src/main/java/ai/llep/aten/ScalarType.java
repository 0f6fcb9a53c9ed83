package ai.llep.aten;

import ai.djl.ndarray.types.DataType;
import java.util.HashMap;
import java.util.Map;

/**
 * libtorch's scalar types that DJL's {@link DataType} names, with the code libtorch's own {@code
 * aoti_torch_dtype_*()} getters return for each (the ABI promises the getters, not the numbers).
 */
enum ScalarType {
  FLOAT32(DataType.FLOAT32, "float32"),
  FLOAT64(DataType.FLOAT64, "float64"),
  FLOAT16(DataType.FLOAT16, "float16"),
  BFLOAT16(DataType.BFLOAT16, "bfloat16"),
  UINT8(DataType.UINT8, "uint8"),
  INT8(DataType.INT8, "int8"),
  INT16(DataType.INT16, "int16"),
  INT32(DataType.INT32, "int32"),
  INT64(DataType.INT64, "int64"),
  UINT16(DataType.UINT16, "uint16"),
  UINT32(DataType.UINT32, "uint32"),
  UINT64(DataType.UINT64, "uint64"),
  BOOL(DataType.BOOLEAN, "bool");

  private static Map<Integer, ScalarType> byCode;

  final DataType djl;
  private final String getter;
  private int code = -1;

  ScalarType(DataType djl, String getter) {
    this.djl = djl;
    this.getter = getter;
  }

  /** libtorch's code for this type. */
  synchronized int code() {
    if (code < 0) {
      code = LibTorch.get().dtypeCode(getter);
    }
    return code;
  }

  /** The type DJL calls {@code type}. */
  static ScalarType of(DataType type) {
    for (ScalarType t : values()) {
      if (t.djl == type) {
        return t;
      }
    }
    throw new IllegalArgumentException("libtorch has no scalar type for DJL's " + type);
  }

  /** The type of libtorch code {@code code}, or null for one DJL has no name for (complex, fp8). */
  static synchronized ScalarType ofCode(int code) {
    if (byCode == null) {
      Map<Integer, ScalarType> map = new HashMap<>();
      for (ScalarType t : values()) {
        map.put(t.code(), t);
      }
      byCode = map;
    }
    return byCode.get(code);
  }
}
