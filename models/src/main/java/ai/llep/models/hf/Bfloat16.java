package ai.llep.models.hf;

/** bfloat16 bit patterns: the upper half of a float32, converted in Java because DJL has none. */
final class Bfloat16 {
  private Bfloat16() {}

  static float toFloat(short bits) {
    return Float.intBitsToFloat((bits & 0xFFFF) << 16);
  }

  /** Rounds to the nearest bfloat16, ties to even; NaN stays a (quiet) NaN of the same sign. */
  static short fromFloat(float value) {
    int bits = Float.floatToRawIntBits(value);
    if (Float.isNaN(value)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int lsb = (bits >>> 16) & 1;
    return (short) ((bits + 0x7FFF + lsb) >>> 16);
  }
}
