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
    int perRank = placement.expertsPerRank();
    long[] expectedEp = new long[ranks];
    long[] expectedLoads = new long[ranks];
    long[] nonNative = new long[16];
    int nonNativeCount = 0;
    for (int e = 0; e < experts; e++) {
      if (expertCounts[e] < 0) {
        throw new IllegalArgumentException(
            "count of expert " + e + " must be >= 0, got " + expertCounts[e]);
      }
      int owner = e / perRank;
      expectedEp[owner] += expertCounts[e];
      List<Assignment> list = assignments.get(e);
      long next = 0;
      for (int i = 0; i < list.size(); i++) {
        Assignment a = list.get(i);
        if (a.rank() >= ranks) {
          throw new IllegalArgumentException(
              "expert " + e + " is assigned to rank " + a.rank() + " of " + ranks);
        }
        if (a.start() != next) {
          throw new IllegalArgumentException(
              "assignments of expert " + e + " must be contiguous: " + a + " after " + next);
        }
        next = a.end();
        expectedLoads[a.rank()] += a.length();
        if (a.rank() != owner) {
          if (nonNativeCount == nonNative.length) {
            nonNative = Arrays.copyOf(nonNative, 2 * nonNativeCount);
          }
          nonNative[nonNativeCount++] = (long) e * ranks + a.rank();
        }
      }
      if (next != expertCounts[e]) {
        throw new IllegalArgumentException(
            "assignments of expert " + e + " cover [0, " + next + "), count is " + expertCounts[e]);
      }
    }
    requireEqual("epLoads", epLoads, "native loads", expectedEp);
    requireEqual("loads", loads, "assignment sums", expectedLoads);
    checkTransfers(placement, Arrays.copyOf(nonNative, nonNativeCount), transfers);
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

  private static void requireEqual(String what, long[] given, String source, long[] expected) {
    if (!Arrays.equals(given, expected)) {
      throw new IllegalArgumentException(
          what
              + " "
              + Arrays.toString(given)
              + " differ from "
              + source
              + " "
              + Arrays.toString(expected));
    }
  }

  /** Transfers must be exactly the (expert, non-native rank) pairs present, owned natively. */
  private static void checkTransfers(
      ExpertPlacement placement, long[] nonNativePairs, List<WeightTransfer> list) {
    int ranks = placement.ranks();
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
    if (!Arrays.equals(distinctSorted(nonNativePairs), distinctSorted(given))) {
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
