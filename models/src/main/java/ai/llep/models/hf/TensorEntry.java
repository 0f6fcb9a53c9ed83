package ai.llep.models.hf;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * One tensor of a safetensors header: its bytes are {@code [begin, end)} of the data section.
 *
 * @param shape the dimensions; empty for a scalar
 */
record TensorEntry(String name, SafetensorsDtype dtype, long[] shape, long begin, long end) {

  long elements() {
    long count = 1;
    for (long dim : shape) {
      count = Math.multiplyExact(count, dim);
    }
    return count;
  }

  long byteSize() {
    return end - begin;
  }

  Shape djlShape() {
    return new Shape(shape);
  }

  String shapeText() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorEntry that
        && name.equals(that.name)
        && dtype == that.dtype
        && Arrays.equals(shape, that.shape)
        && begin == that.begin
        && end == that.end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + shapeText() + " [" + begin + ", " + end + ")";
  }
}
