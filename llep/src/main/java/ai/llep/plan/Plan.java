package ai.llep.plan;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Which rank computes which slots of each expert, and which expert weights move. Every rank
 * computes the same plan from the same all-gathered count matrix.
 *
 * @param placement where expert weights live
 * @param mode the dispatch mode the plan was made for
 * @param llepApplied true when the least-loaded assignment ran, false for standard EP
 * @param capacity per-rank capacity of the least-loaded assignment (reported for EP plans too)
 * @param expertCounts c[e], the global slot count of each expert
 * @param assignments per expert, ordered ranges covering [0, c[e]) exactly (empty when c[e] = 0)
 * @param transfers weight transfers, ordered by (expert, helper); one per (expert, helper) pair,
 *     except that the reference variant keeps one per non-native chunk
 * @param epLoads per-rank load under standard EP (native loads)
 * @param loads per-rank load under this plan
 * @param forcedChunks chunks the assignment placed over capacity: forced remainders and remainders
 *     under m kept on the native rank
 * @param imbalance the routing's imbalance ratios under standard EP
 */
public record Plan(
    ExpertPlacement placement,
    DispatchMode mode,
    boolean llepApplied,
    long capacity,
    long[] expertCounts,
    List<List<Assignment>> assignments,
    List<WeightTransfer> transfers,
    long[] epLoads,
    long[] loads,
    int forcedChunks,
    Imbalance imbalance) {

  public Plan {
    if (placement == null || mode == null || imbalance == null) {
      throw new IllegalArgumentException("plan placement, mode and imbalance must not be null");
    }
    if (mode == DispatchMode.EP && llepApplied) {
      throw new IllegalArgumentException("a plan for mode EP cannot apply LLEP");
    }
    if (mode == DispatchMode.LLEP && !llepApplied) {
      throw new IllegalArgumentException("a plan for mode LLEP must apply LLEP");
    }
    if (capacity < 0 || forcedChunks < 0) {
      throw new IllegalArgumentException(
          "capacity and forcedChunks must be >= 0, got " + capacity + ", " + forcedChunks);
    }
    expertCounts = expertCounts.clone();
    epLoads = epLoads.clone();
    loads = loads.clone();
    assignments = PlanValidation.immutableAssignments(assignments);
    transfers = List.copyOf(transfers);
    PlanValidation.check(
        placement, llepApplied, expertCounts, assignments, transfers, epLoads, loads, forcedChunks);
  }

  @Override
  public long[] expertCounts() {
    return expertCounts.clone();
  }

  @Override
  public long[] epLoads() {
    return epLoads.clone();
  }

  @Override
  public long[] loads() {
    return loads.clone();
  }

  public long count(int expert) {
    placement.checkExpert(expert);
    return expertCounts[expert];
  }

  public long load(int rank) {
    placement.checkRank(rank);
    return loads[rank];
  }

  public long epLoad(int rank) {
    placement.checkRank(rank);
    return epLoads[rank];
  }

  public List<Assignment> assignments(int expert) {
    placement.checkExpert(expert);
    return assignments.get(expert);
  }

  /** True when some slots of {@code expert} are computed away from its native rank. */
  public boolean spilled(int expert) {
    int owner = placement.nativeRank(expert);
    for (Assignment a : assignments.get(expert)) {
      if (a.rank() != owner) {
        return true;
      }
    }
    return false;
  }

  /** True when {@link DispatchMode#AUTO} found the routing balanced and fell back to EP. */
  public boolean isBalancedFallback() {
    return mode == DispatchMode.AUTO && !llepApplied;
  }

  public long maxLoad() {
    return Arrays.stream(loads).max().orElse(0);
  }

  public long epMaxLoad() {
    return Arrays.stream(epLoads).max().orElse(0);
  }

  public long totalSlots() {
    return Arrays.stream(expertCounts).sum();
  }

  /**
   * S[src][dst], the rows each rank sends to each rank: row r gives rank r's all-to-all send
   * splits, column r its receive splits. {@code counts} is the P x N matrix the plan was made from
   * (its column sums must equal {@link #expertCounts()}).
   */
  public long[][] sendMatrix(long[][] counts) {
    return PlanRouting.sendMatrix(this, counts);
  }

  /**
   * For each expert, where {@code source}'s local slots of that expert go: pieces (destination,
   * offset in the source's local order of the expert's slots, length), in local order, adjacent
   * pieces to the same destination merged; empty when the source has no slot of the expert.
   */
  public List<List<SlotPiece>> sendPieces(long[][] counts, int source) {
    return PlanRouting.sendPieces(this, counts, source);
  }

  /**
   * For each source rank, the segments {@code destination} receives from it, in wire order: experts
   * ascending, one segment per expert with its row count. This is the order a sender gets by
   * sorting its local slots by (destination, expert, local order).
   */
  public List<List<Segment>> receiveSegments(long[][] counts, int destination) {
    return PlanRouting.receiveSegments(this, counts, destination);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Plan p
        && llepApplied == p.llepApplied
        && capacity == p.capacity
        && forcedChunks == p.forcedChunks
        && mode == p.mode
        && placement.equals(p.placement)
        && imbalance.equals(p.imbalance)
        && Arrays.equals(expertCounts, p.expertCounts)
        && Arrays.equals(epLoads, p.epLoads)
        && Arrays.equals(loads, p.loads)
        && assignments.equals(p.assignments)
        && transfers.equals(p.transfers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        placement,
        mode,
        llepApplied,
        capacity,
        Arrays.hashCode(expertCounts),
        assignments,
        transfers,
        Arrays.hashCode(epLoads),
        Arrays.hashCode(loads),
        forcedChunks,
        imbalance);
  }

  @Override
  public String toString() {
    return "Plan[mode="
        + mode
        + ", llepApplied="
        + llepApplied
        + ", capacity="
        + capacity
        + ", maxLoad="
        + maxLoad()
        + ", epMaxLoad="
        + epMaxLoad()
        + ", transfers="
        + transfers.size()
        + ", forcedChunks="
        + forcedChunks
        + "]";
  }
}
