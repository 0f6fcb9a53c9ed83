package ai.llep.trainer.config;

import com.typesafe.config.ConfigUtil;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The valid key a mistyped one most likely meant, by edit distance (with transpositions) over the
 * whole dotted path or over the last segment alone, so that {@code llep.alhpa} finds {@code
 * llep.alpha} and a bare {@code alpha} finds it too.
 */
final class ClosestKey {
  private ClosestKey() {}

  private record Scored(String candidate, int score, int fullDistance) {}

  /** The closest candidate, if one is close enough to be a plausible typo. */
  static Optional<String> of(String key, Collection<String> candidates) {
    String last = lastSegment(key);
    int limit = Math.max(2, last.length() / 3);
    return candidates.stream()
        .map(candidate -> score(key, last, candidate))
        .filter(scored -> scored.score() <= limit)
        .min(
            Comparator.comparingInt(Scored::score)
                .thenComparingInt(Scored::fullDistance)
                .thenComparing(Scored::candidate))
        .map(Scored::candidate);
  }

  private static Scored score(String key, String last, String candidate) {
    int full = distance(key, candidate);
    // A matching last segment under another parent costs one more than a same-parent typo.
    int byLast = distance(last, lastSegment(candidate)) + 1;
    return new Scored(candidate, Math.min(full, byLast), full);
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, swaps of two. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
  }

  private static String lastSegment(String path) {
    List<String> segments = ConfigUtil.splitPath(path);
    return segments.getLast();
  }
}
