package ai.llep.plan;

import java.util.Arrays;
import java.util.List;

/**
 * The least-loaded assignment (paper Alg. 2 and 3) on primitive arrays, for both variants.
 *
 * <p>Choosing a helper: the paper re-sorts the other ranks by effective load every round and takes
 * the first one whose chunk {@code min(r, cap - eff)} is at least m or all of r. Free room falls
 * along that order, so the first rank qualifies iff any does, and the choice is simply the
 * least-loaded other rank (ties: lower rank) if its free room is at least {@code min(r, m)}. This
 * saves the sort and gives the same plan.
 */
final class LeastLoadedAssignment {
  private final ExpertPlacement placement;
  private final boolean reference;
  private final long cap;
  private final long minChunk;
  private final long[] eff;
  private final long[] load;
  private final int[] seenHelper;
  private long[] transferKeys = new long[16];
  private int transferCount;
  private int forced;
  private int[] chunkRank = new int[8];
  private long[] chunkStart = new long[8];
  private long[] chunkEnd = new long[8];
  private int chunkCount;

  private LeastLoadedAssignment(RoutingCounts counts, PlannerOptions options) {
    this.placement = counts.placement;
    this.reference = options.variant() == PlannerOptions.Variant.REFERENCE;
    this.cap = options.capacity(counts.total, placement.ranks());
    this.minChunk = options.minTokensPerGemm();
    this.eff = counts.epLoads.clone();
    this.load = new long[placement.ranks()];
    this.seenHelper = new int[placement.ranks()];
  }

  static Plan plan(RoutingCounts counts, PlannerOptions options, DispatchMode mode) {
    return new LeastLoadedAssignment(counts, options).run(counts, mode);
  }

  private Plan run(RoutingCounts counts, DispatchMode mode) {
    long[] c = counts.expertCounts;
    @SuppressWarnings("unchecked")
    List<Assignment>[] assignments = new List[c.length];
    Arrays.fill(assignments, List.of());
    for (int e : ExpertOrder.byDecreasingCount(c)) {
      assignments[e] = assignExpert(e, c[e]);
    }
    Arrays.sort(transferKeys, 0, transferCount);
    int ranks = placement.ranks();
    WeightTransfer[] transfers = new WeightTransfer[transferCount];
    for (int i = 0; i < transferCount; i++) {
      int expert = (int) (transferKeys[i] / ranks);
      int helper = (int) (transferKeys[i] % ranks);
      transfers[i] = new WeightTransfer(expert, placement.nativeRank(expert), helper);
    }
    return new Plan(
        placement,
        mode,
        true,
        cap,
        c,
        List.of(assignments),
        List.of(transfers),
        counts.epLoads,
        load,
        forced,
        counts.imbalance());
  }

  private List<Assignment> assignExpert(int expert, long count) {
    int owner = expert / placement.expertsPerRank();
    chunkCount = 0;
    eff[owner] -= count;
    long free = cap - eff[owner];
    if (free >= count) {
      place(owner, 0, count);
    } else if (free > 0) {
      place(owner, 0, free);
      spill(owner, count - free, free, -1);
    } else {
      // The reference's Case-3 fallback uses the least-loaded rank from before the spill began.
      spill(owner, count, 0, reference ? leastLoadedOther(owner) : -1);
    }
    Assignment[] list = new Assignment[chunkCount];
    for (int i = 0; i < chunkCount; i++) {
      list[i] = new Assignment(chunkRank[i], chunkStart[i], chunkEnd[i]);
      if (chunkRank[i] != owner && (reference || seenHelper[chunkRank[i]] != expert + 1)) {
        seenHelper[chunkRank[i]] = expert + 1;
        addTransfer((long) expert * placement.ranks() + chunkRank[i]);
      }
    }
    return List.of(list);
  }

  /** LLAS: places {@code remaining} slots from {@code offset}; {@code staleRank} < 0 if none. */
  private void spill(int owner, long remaining, long offset, int staleRank) {
    long r = remaining;
    long o = offset;
    while (r > 0) {
      int best = leastLoadedOther(owner);
      if ((!reference && r < minChunk) || best < 0) {
        // Too small for a weight transfer (or no other rank): the native rank computes it.
        place(owner, o, o + r);
        forced++;
        return;
      }
      long free = cap - eff[best];
      if (free >= Math.min(r, minChunk)) {
        long chunk = Math.min(r, free);
        place(best, o, o + chunk);
        o += chunk;
        r -= chunk;
      } else {
        place(staleRank >= 0 ? staleRank : best, o, o + r);
        forced++;
        return;
      }
    }
  }

  private int leastLoadedOther(int owner) {
    int best = -1;
    for (int g = 0; g < eff.length; g++) {
      if (g != owner && (best < 0 || eff[g] < eff[best])) {
        best = g;
      }
    }
    return best;
  }

  private void place(int rank, long start, long end) {
    eff[rank] += end - start;
    load[rank] += end - start;
    if (!reference && chunkCount > 0 && chunkRank[chunkCount - 1] == rank) {
      chunkEnd[chunkCount - 1] = end;
      return;
    }
    if (chunkCount == chunkRank.length) {
      chunkRank = Arrays.copyOf(chunkRank, 2 * chunkCount);
      chunkStart = Arrays.copyOf(chunkStart, 2 * chunkCount);
      chunkEnd = Arrays.copyOf(chunkEnd, 2 * chunkCount);
    }
    chunkRank[chunkCount] = rank;
    chunkStart[chunkCount] = start;
    chunkEnd[chunkCount] = end;
    chunkCount++;
  }

  private void addTransfer(long key) {
    if (transferCount == transferKeys.length) {
      transferKeys = Arrays.copyOf(transferKeys, 2 * transferCount);
    }
    transferKeys[transferCount++] = key;
  }
}
