package ai.llep.aten;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * What an operator returned: its tensors, each a DJL tensor attached to the manager the call was
 * given (which frees it), or its numbers.
 */
public record AtenResult(List<NDArray> tensors, long[] raw, List<ReturnKind> kinds) {
  public AtenResult {
    tensors = List.copyOf(tensors);
    raw = raw.clone();
    kinds = List.copyOf(kinds);
  }

  public NDArray tensor(int index) {
    return tensors.get(index);
  }

  public long integer(int index) {
    expect(index, ReturnKind.INT);
    return raw[index];
  }

  public double real(int index) {
    expect(index, ReturnKind.DOUBLE);
    return Double.longBitsToDouble(raw[index]);
  }

  public boolean bool(int index) {
    expect(index, ReturnKind.BOOL);
    return (raw[index] & 0xff) != 0;
  }

  private void expect(int index, ReturnKind kind) {
    if (kinds.get(index) != kind) {
      throw new IllegalArgumentException(
          "return " + index + " is " + kinds.get(index) + ", not " + kind);
    }
  }
}
