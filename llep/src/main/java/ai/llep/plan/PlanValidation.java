package ai.llep.plan;

import java.util.Arrays;
import java.util.List;

/** The consistency checks of {@link Plan}'s compact constructor. */
final class PlanValidation {
  private PlanValidation() {}

  static List<List<Assignment>> immutableAssignments(List<List<Assignment>> assignments) {
    if (assignments == null) {
      throw new IllegalArgumentException("assignments must not be null");
    }
    @SuppressWarnings("unchecked")
    List<Assignment>[] copies = new List[assignments.size()];
    for (int e = 0; e < copies.length; e++) {
      List<Assignment> list = assignments.get(e);
      if (list == null) {
        throw new IllegalArgumentException("assignments of expert " + e + " must not be null");
      }
      copies[e] = List.copyOf(list);
    }
    return List.of(copies);
  }

  static void check(
      ExpertPlacement placement,
      boolean llepApplied,
      long[] expertCounts,
      List<List<Assignment>> assignments,
      List<WeightTransfer> transfers,
      long[] epLoads,
      long[] loads,
      int forcedChunks) {
    int experts = placement.experts();
    int ranks = placement.ranks();
    requireLength("expertCounts", expertCounts.length, experts);
    requireLength("assignments", assignments.size(), experts);
    requireLength("epLoads", epLoads.length, ranks);
    requireLength("loads", loads.length, ranks);
    long[] expectedEp = new long[ranks];
    long[] expectedLoads = new long[ranks];
    for (int e = 0; e < experts; e++) {
      if (expertCounts[e] < 0) {
        throw new IllegalArgumentException(
            "count of expert " + e + " must be >= 0, got " + expertCounts[e]);
      }
      expectedEp[placement.nativeRank(e)] += expertCounts[e];
      checkCover(placement, e, expertCounts[e], assignments.get(e), expectedLoads);
    }
    if (!Arrays.equals(expectedEp, epLoads)) {
      throw new IllegalArgumentException(
          "epLoads "
              + Arrays.toString(epLoads)
              + " differ from native loads "
              + Arrays.toString(expectedEp));
    }
    if (!Arrays.equals(expectedLoads, loads)) {
      throw new IllegalArgumentException(
          "loads "
              + Arrays.toString(loads)
              + " differ from assignment sums "
              + Arrays.toString(expectedLoads));
    }
    checkTransfers(placement, assignments, transfers);
    if (!llepApplied
        && (!transfers.isEmpty() || forcedChunks != 0 || !Arrays.equals(epLoads, loads))) {
      throw new IllegalArgumentException(
          "a standard EP plan keeps every expert native, got "
              + transfers.size()
              + " transfers, "
              + forcedChunks
              + " forced chunks");
    }
  }

  private static void checkCover(
      ExpertPlacement placement, int expert, long count, List<Assignment> list, long[] loads) {
    long next = 0;
    for (Assignment a : list) {
      if (a.rank() >= placement.ranks()) {
        throw new IllegalArgumentException(
            "expert " + expert + " is assigned to rank " + a.rank() + " of " + placement.ranks());
      }
      if (a.start() != next) {
        throw new IllegalArgumentException(
            "assignments of expert " + expert + " must be contiguous: " + a + " after " + next);
      }
      next = a.end();
      loads[a.rank()] += a.length();
    }
    if (next != count) {
      throw new IllegalArgumentException(
          "assignments of expert " + expert + " cover [0, " + next + "), count is " + count);
    }
  }

  /** Transfers must be exactly the (expert, non-native rank) pairs present, owned natively. */
  private static void checkTransfers(
      ExpertPlacement placement, List<List<Assignment>> assignments, List<WeightTransfer> list) {
    int ranks = placement.ranks();
    long[] needed = new long[8];
    int n = 0;
    for (int e = 0; e < assignments.size(); e++) {
      int owner = placement.nativeRank(e);
      for (Assignment a : assignments.get(e)) {
        if (a.rank() != owner) {
          needed = n == needed.length ? Arrays.copyOf(needed, 2 * n) : needed;
          needed[n++] = (long) e * ranks + a.rank();
        }
      }
    }
    long[] given = new long[list.size()];
    for (int i = 0; i < given.length; i++) {
      WeightTransfer t = list.get(i);
      placement.checkExpert(t.expert());
      if (t.owner() != placement.nativeRank(t.expert()) || t.helper() >= ranks) {
        throw new IllegalArgumentException(
            "transfer " + t + " must go from the expert's native rank to a rank < " + ranks);
      }
      given[i] = (long) t.expert() * ranks + t.helper();
      if (i > 0 && given[i] < given[i - 1]) {
        throw new IllegalArgumentException("transfers must be ordered by (expert, helper): " + t);
      }
    }
    long[] neededPairs = distinctSorted(Arrays.copyOf(needed, n));
    long[] givenPairs = distinctSorted(given);
    if (!Arrays.equals(neededPairs, givenPairs)) {
      throw new IllegalArgumentException(
          "transfers must be exactly the (expert, helper) pairs of non-native assignments, got "
              + list);
    }
  }

  private static long[] distinctSorted(long[] keys) {
    Arrays.sort(keys);
    int n = 0;
    for (int i = 0; i < keys.length; i++) {
      if (n == 0 || keys[i] != keys[n - 1]) {
        keys[n++] = keys[i];
      }
    }
    return Arrays.copyOf(keys, n);
  }

  private static void requireLength(String what, int actual, int expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(
          what + " must have length " + expected + ", got " + actual);
    }
  }
}
