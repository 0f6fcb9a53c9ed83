package ai.llep.models.hf;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/** The shape check behind {@code readChecked}, with one wording for every source. */
final class ShapeCheck {
  private ShapeCheck() {}

  static void require(String name, String fileLabel, Shape actual, Shape expected) {
    if (!actual.equals(expected)) {
      throw new IllegalArgumentException(
          "tensor "
              + name
              + " in file "
              + fileLabel
              + " has shape "
              + Arrays.toString(actual.getShape())
              + ", expected "
              + Arrays.toString(expected.getShape()));
    }
  }
}
