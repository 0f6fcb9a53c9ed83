package ai.llep.trainer.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * The flattened elements of a list of tensors, laid end to end in list order, cut into {@code
 * worldSize} chunks of {@link #chunk()} elements (the last ones shorter or empty): rank r owns
 * elements {@code [start(r), end(r))}. Slicing elements, not whole tensors, divides the state
 * exactly by the world size whatever the tensors' sizes.
 *
 * @param sizes each tensor's element count, >= 0
 * @param worldSize the ranks sharing the elements, >= 1
 */
public record ElementPartition(List<Long> sizes, int worldSize) {
  /** Elements {@code [start, start + length)} of tensor {@code tensor}'s flattened elements. */
  public record Slice(int tensor, long start, long length) {
    public Slice {
      if (tensor < 0 || start < 0 || length <= 0) {
        throw new IllegalArgumentException(
            "slice of tensor " + tensor + " at " + start + " of length " + length);
      }
    }

    public long end() {
      return start + length;
    }
  }

  public ElementPartition {
    sizes = List.copyOf(sizes);
    if (worldSize < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + worldSize);
    }
    for (int i = 0; i < sizes.size(); i++) {
      if (sizes.get(i) < 0) {
        throw new IllegalArgumentException("tensor " + i + " has " + sizes.get(i) + " elements");
      }
    }
  }

  /** All tensors' elements. */
  public long total() {
    return sizes.stream().mapToLong(Long::longValue).sum();
  }

  /** The elements each rank owns, the last ranks fewer: {@code ceil(total / worldSize)}. */
  public long chunk() {
    return (total() + worldSize - 1) / worldSize;
  }

  /** Where tensor {@code tensor}'s first element lies among all the elements. */
  public long offset(int tensor) {
    long offset = 0;
    for (int i = 0; i < tensor; i++) {
      offset += sizes.get(i);
    }
    return offset;
  }

  public long start(int rank) {
    checkRank(rank);
    return Math.min(rank * chunk(), total());
  }

  public long end(int rank) {
    checkRank(rank);
    return Math.min((rank + 1) * chunk(), total());
  }

  /** Rank {@code rank}'s elements, tensor by tensor in list order; empty tensors never appear. */
  public List<Slice> slices(int rank) {
    long start = start(rank);
    long end = end(rank);
    List<Slice> out = new ArrayList<>();
    long offset = 0;
    for (int i = 0; i < sizes.size(); i++) {
      long from = Math.max(start, offset);
      long to = Math.min(end, offset + sizes.get(i));
      if (from < to) {
        out.add(new Slice(i, from - offset, to - from));
      }
      offset += sizes.get(i);
    }
    return out;
  }

  private void checkRank(int rank) {
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank must be in [0, " + worldSize + "), got " + rank);
    }
  }
}
