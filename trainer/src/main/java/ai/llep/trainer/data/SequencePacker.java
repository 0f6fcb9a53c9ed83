package ai.llep.trainer.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns tokenized examples (ids and loss mask) into rows of {@code maxLength} tokens: either one
 * example per row padded with {@code padId} ({@code pad}), or examples concatenated back to back
 * and cut into rows ({@code pack}). A packed row records where each example (or a cut example's
 * tail, or the final padding) starts, so the model keeps attention and next-token prediction inside
 * each one, as Hugging Face's packing collator with position ids does. Examples longer than a row
 * are truncated ({@link TrainingRows} decides beforehand which reach the packer).
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
    List<Integer> segments = new ArrayList<>();
    int fill = 0;
    int segmentStart = 0;
    for (int i = 0; i < ids.size(); i++) {
      int n = Math.min(maxLength, ids.get(i).length);
      if (fill > segmentStart) {
        segments.add(fill - segmentStart);
        segmentStart = fill;
      }
      for (int t = 0; t < n; t++) {
        input[fill] = ids.get(i)[t];
        labels[fill] = masks.get(i)[t] ? ids.get(i)[t] : PackedSequence.IGNORE;
        if (++fill == maxLength) {
          segments.add(fill - segmentStart);
          rows.add(new PackedSequence(input, labels, toArray(segments), maxLength));
          input = new int[maxLength];
          labels = new int[maxLength];
          segments.clear();
          fill = 0;
          segmentStart = 0;
        }
      }
    }
    if (fill > 0) {
      segments.add(fill - segmentStart);
      segments.add(maxLength - fill);
      Arrays.fill(input, fill, maxLength, padId);
      Arrays.fill(labels, fill, maxLength, PackedSequence.IGNORE);
      rows.add(new PackedSequence(input, labels, toArray(segments), fill));
    }
    return rows;
  }

  private static int[] toArray(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }
}
