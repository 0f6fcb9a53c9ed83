package ai.llep.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The examples of an epoch as (file, line) references, the same on every rank: file by file, each
 * file's non-blank lines as many whole times as its weight, then a random subset (by the seed) for
 * the weight's fraction. Finding them reads the files' lines without parsing them, so a rank parses
 * and tokenizes only its own share; a line that is not UTF-8 counts as an example, which the rank
 * that owns it reports (or skips).
 *
 * <p>With a {@link Holdout} ({@code data.eval-fraction}), a random subset of each file's lines (by
 * the seed, the same on every rank and in every launch) is set aside before the weights apply: the
 * training mixture never contains those lines, and the held-out mixture is exactly them, each once.
 */
final class DataMixture {
  /**
   * Which part of the files a mixture takes when {@code fraction} of each file's lines is held out.
   *
   * @param fraction share of each file's non-blank lines held out (rounded); 0 = none
   * @param heldOut the held-out lines (each once, weights ignored), or else the rest (weighted)
   */
  record Holdout(double fraction, boolean heldOut) {
    static final Holdout NONE = new Holdout(0, false);
    // Keeps the held-out draw apart from the weights' draws, which use the same seed.
    private static final long SALT = 0x6576616c5f73706cL;

    Holdout {
      if (!(fraction >= 0 && fraction < 1)) {
        throw new IllegalArgumentException("held-out fraction must be in [0, 1), got " + fraction);
      }
      if (heldOut && fraction == 0) {
        throw new IllegalArgumentException("nothing is held out with a fraction of 0");
      }
    }

    /** The lines of file {@code file} this part takes, ascending. */
    int[] select(int[] lines, long seed, int file) {
      if (fraction == 0) {
        return lines;
      }
      int n = lines.length;
      int[] chosen = sample(n, (int) Math.round(fraction * n), (seed ^ SALT) * 1_000_003L + file);
      boolean[] held = new boolean[n];
      for (int i : chosen) {
        held[i] = true;
      }
      int[] out = new int[heldOut ? chosen.length : n - chosen.length];
      int k = 0;
      for (int i = 0; i < n; i++) {
        if (held[i] == heldOut) {
          out[k++] = lines[i];
        }
      }
      return out;
    }
  }

  private final List<DataFile> files;
  private final int[][] lines;
  private final long[] refs;

  private DataMixture(List<DataFile> files, int[][] lines, long[] refs) {
    this.files = files;
    this.lines = lines;
    this.refs = refs;
  }

  static DataMixture of(List<DataFile> files, long seed) {
    return of(files, seed, Holdout.NONE);
  }

  static DataMixture of(List<DataFile> files, long seed, Holdout holdout) {
    int[][] lines = new int[files.size()][];
    long total = 0;
    int[] copies = new int[files.size()];
    int[][] extra = new int[files.size()][];
    for (int f = 0; f < files.size(); f++) {
      lines[f] = holdout.select(nonBlankLines(files.get(f).path()), seed, f);
      double weight = holdout.heldOut() ? 1.0 : files.get(f).weight();
      copies[f] = (int) Math.floor(weight);
      int n = lines[f].length;
      extra[f] = sample(n, (int) Math.round((weight - copies[f]) * n), seed * 1_000_003L + f);
      total += (long) copies[f] * n + extra[f].length;
    }
    if (total > Integer.MAX_VALUE) {
      throw new DataError("the data mixture has " + total + " examples, more than 2^31 - 1");
    }
    long[] refs = new long[(int) total];
    int k = 0;
    for (int f = 0; f < files.size(); f++) {
      for (int c = 0; c < copies[f]; c++) {
        for (int i = 0; i < lines[f].length; i++) {
          refs[k++] = ref(f, i);
        }
      }
      for (int i : extra[f]) {
        refs[k++] = ref(f, i);
      }
    }
    return new DataMixture(List.copyOf(files), lines, refs);
  }

  /** Examples in the epoch, all ranks together. */
  int size() {
    return refs.length;
  }

  DataFile file(int index) {
    return files.get(index);
  }

  int fileCount() {
    return files.size();
  }

  /** File index of example {@code k}. */
  int fileOf(int k) {
    return (int) (refs[k] >>> 32);
  }

  /** 1-based line number (in its file) of example {@code k}. */
  int lineOf(int k) {
    return lines[fileOf(k)][(int) refs[k]];
  }

  private static long ref(int file, int index) {
    return ((long) file << 32) | index;
  }

  /** {@code count} distinct indices of [0, n), ascending. */
  private static int[] sample(int n, int count, long seed) {
    int[] p = new int[n];
    for (int i = 0; i < n; i++) {
      p[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < count; i++) {
      int j = i + random.nextInt(n - i);
      int t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    int[] chosen = Arrays.copyOf(p, count);
    Arrays.sort(chosen);
    return chosen;
  }

  private static int[] nonBlankLines(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataError("data file " + file + " does not exist");
    }
    int[] numbers = new int[1024];
    int count = 0;
    try (Utf8Lines lines = new Utf8Lines(file)) {
      for (int number = 1; ; number++) {
        boolean example;
        try {
          String line = lines.next();
          if (line == null) {
            break;
          }
          example = !line.isBlank();
        } catch (Utf8Lines.Malformed e) {
          example = true;
        }
        if (example) {
          if (count == numbers.length) {
            numbers = Arrays.copyOf(numbers, count * 2);
          }
          numbers[count++] = number;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
    }
    return Arrays.copyOf(numbers, count);
  }
}
