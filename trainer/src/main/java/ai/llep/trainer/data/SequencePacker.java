package ai.llep.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns tokenized examples (ids and loss mask) into rows of {@code maxLength} tokens: either one
 * example per row padded with {@code padId} ({@code pad}), or examples concatenated back to back
 * and cut into rows ({@code pack}; attention crosses example boundaries, as in TRL's packing, which
 * trades a little purity for no padding). Examples longer than a row are truncated ({@link
 * TrainingRows} decides beforehand which reach the packer).
 */
public final class SequencePacker {
  /** How examples fill rows. */
  public enum Mode {
    PAD,
    PACK
  }

  private final int maxLength;
  private final int padId;
  private final Mode mode;

  public SequencePacker(int maxLength, int padId, Mode mode) {
    if (maxLength < 2) {
      throw new IllegalArgumentException("data.max-length must be >= 2, got " + maxLength);
    }
    this.maxLength = maxLength;
    this.padId = padId;
    this.mode = mode;
  }

  public int maxLength() {
    return maxLength;
  }

  /** Rows in order; {@code ids.get(i)} and {@code masks.get(i)} describe example i. */
  public List<PackedSequence> pack(List<int[]> ids, List<boolean[]> masks) {
    return mode == Mode.PAD ? padEach(ids, masks) : packAll(ids, masks);
  }

  private List<PackedSequence> padEach(List<int[]> ids, List<boolean[]> masks) {
    List<PackedSequence> rows = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      int[] input = new int[maxLength];
      int[] labels = new int[maxLength];
      Arrays.fill(input, padId);
      Arrays.fill(labels, PackedSequence.IGNORE);
      int n = Math.min(maxLength, ids.get(i).length);
      for (int t = 0; t < n; t++) {
        input[t] = ids.get(i)[t];
        labels[t] = masks.get(i)[t] ? ids.get(i)[t] : PackedSequence.IGNORE;
      }
      rows.add(new PackedSequence(input, labels, n));
    }
    return rows;
  }

  private List<PackedSequence> packAll(List<int[]> ids, List<boolean[]> masks) {
    List<PackedSequence> rows = new ArrayList<>();
    int[] input = new int[maxLength];
    int[] labels = new int[maxLength];
    int fill = 0;
    for (int i = 0; i < ids.size(); i++) {
      int n = Math.min(maxLength, ids.get(i).length);
      for (int t = 0; t < n; t++) {
        input[fill] = ids.get(i)[t];
        labels[fill] = masks.get(i)[t] ? ids.get(i)[t] : PackedSequence.IGNORE;
        if (++fill == maxLength) {
          rows.add(new PackedSequence(input, labels, maxLength));
          input = new int[maxLength];
          labels = new int[maxLength];
          fill = 0;
        }
      }
    }
    if (fill > 0) {
      Arrays.fill(input, fill, maxLength, padId);
      Arrays.fill(labels, fill, maxLength, PackedSequence.IGNORE);
      rows.add(new PackedSequence(input, labels, fill));
    }
    return rows;
  }
}
