package ai.llep.models.family.gptoss;

/**
 * MXFP4 as gpt-oss checkpoints store experts: per output row, blocks of 32 inputs, each block 16
 * bytes of e2m1 values (two per byte, the low nibble first) and one e8m0 scale byte (the exponent
 * plus 127). A value is {@code fp4 * 2^(scale - 127)}, formed in float32 and rounded to bfloat16,
 * as transformers' conversion does (so a scale of 255 gives infinities, and NaN for zeros, there
 * too).
 */
final class Mxfp4 {
  /** The 16 e2m1 values by nibble: sign bit 3, then exponent and mantissa. */
  private static final float[] FP4 = {
    0f, 0.5f, 1f, 1.5f, 2f, 3f, 4f, 6f, -0f, -0.5f, -1f, -1.5f, -2f, -3f, -4f, -6f
  };

  static final int BLOCK = 32;
  static final int BLOCK_BYTES = BLOCK / 2;

  private Mxfp4() {}

  /**
   * One expert's weight from its blocks {@code [out, in / 32, 16]} and scales {@code [out, in /
   * 32]}, transposed to {@code [in, out]} (the layout gpt-oss's modeling multiplies with).
   */
  static float[] dequantizeTransposed(byte[] blocks, byte[] scales, int out, int in) {
    if (in % BLOCK != 0
        || blocks.length != (long) out * (in / BLOCK) * BLOCK_BYTES
        || scales.length != (long) out * (in / BLOCK)) {
      throw new IllegalArgumentException(
          "mxfp4 blocks of "
              + blocks.length
              + " bytes and scales of "
              + scales.length
              + " do not hold a ["
              + out
              + ", "
              + in
              + "] weight");
    }
    int groups = in / BLOCK;
    float[] values = new float[out * in];
    for (int row = 0; row < out; row++) {
      for (int g = 0; g < groups; g++) {
        float scale = Math.scalb(1f, (scales[row * groups + g] & 0xff) - 127);
        int base = (row * groups + g) * BLOCK_BYTES;
        for (int j = 0; j < BLOCK_BYTES; j++) {
          int b = blocks[base + j] & 0xff;
          int column = g * BLOCK + 2 * j;
          values[column * out + row] = toBfloat16(FP4[b & 0x0f] * scale);
          values[(column + 1) * out + row] = toBfloat16(FP4[b >>> 4] * scale);
        }
      }
    }
    return values;
  }

  /** {@code x} rounded to the nearest bfloat16 (ties to even), as a float. */
  static float toBfloat16(float x) {
    if (Float.isNaN(x)) {
      return x;
    }
    int bits = Float.floatToRawIntBits(x);
    bits += 0x7fff + ((bits >>> 16) & 1);
    return Float.intBitsToFloat(bits & 0xffff0000);
  }
}
