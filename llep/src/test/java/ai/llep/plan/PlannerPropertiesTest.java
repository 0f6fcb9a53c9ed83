package ai.llep.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/** Invariants of every plan on random count matrices (P in 1..16, N a multiple of P). */
class PlannerPropertiesTest {

  record Case(long[][] counts, ExpertPlacement placement, PlannerOptions options) {
    @Override
    public String toString() {
      return placement + " " + options + " " + Arrays.deepToString(counts);
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<Integer> ranks = Arbitraries.integers().between(1, 16);
    Arbitrary<Integer> perRank = Arbitraries.integers().between(1, 4);
    Arbitrary<PlannerOptions> options =
        Combinators.combine(
                Arbitraries.of(1.0, 1.05, 1.3, 2.0),
                Arbitraries.integers().between(1, 600),
                Arbitraries.of(PlannerOptions.Variant.class))
            .as((alpha, m, variant) -> new PlannerOptions(alpha, m, 1.3, variant));
    return Combinators.combine(ranks, perRank, options)
        .flatAs(
            (p, m, o) -> {
              Arbitrary<Long> cell =
                  Arbitraries.frequencyOf(
                      Tuple.of(4, Arbitraries.just(0L)),
                      Tuple.of(4, Arbitraries.longs().between(0, 60)),
                      Tuple.of(3, Arbitraries.longs().between(0, 3000)),
                      Tuple.of(1, Arbitraries.longs().between(0, 80_000)));
              Arbitrary<long[]> row =
                  cell.list().ofSize(p * m).map(l -> l.stream().mapToLong(x -> x).toArray());
              return row.list()
                  .ofSize(p)
                  .map(
                      rows ->
                          new Case(rows.toArray(long[][]::new), new ExpertPlacement(p * m, p), o));
            });
  }

  private static Plan llep(Case c) {
    return Planner.leastLoaded(c.options()).plan(c.counts(), c.placement());
  }

  @Property(tries = 300)
  void assignmentsCoverEachExpertInOrder(@ForAll("cases") Case c) {
    Plan plan = llep(c);
    long[] loads = new long[c.placement().ranks()];
    for (int e = 0; e < c.placement().experts(); e++) {
      long next = 0;
      for (Assignment a : plan.assignments(e)) {
        assertEquals(next, a.start(), "expert " + e);
        assertTrue(a.end() > a.start());
        loads[a.rank()] += a.length();
        next = a.end();
      }
      assertEquals(plan.count(e), next, "expert " + e);
    }
    assertArrayEquals(loads, plan.loads());
    assertEquals(Fixtures.sum(plan.epLoads()), Fixtures.sum(plan.loads()));
  }

  @Property(tries = 300)
  void transfersAreTheNonNativePairs(@ForAll("cases") Case c) {
    Plan plan = llep(c);
    List<WeightTransfer> pairs = new ArrayList<>();
    int chunks = 0;
    for (int e = 0; e < c.placement().experts(); e++) {
      int owner = c.placement().nativeRank(e);
      TreeSet<Integer> helpers = new TreeSet<>();
      for (Assignment a : plan.assignments(e)) {
        if (a.rank() != owner) {
          helpers.add(a.rank());
          chunks++;
        }
      }
      for (int h : helpers) {
        pairs.add(new WeightTransfer(e, owner, h));
      }
    }
    if (c.options().variant() == PlannerOptions.Variant.DEFAULT) {
      assertEquals(pairs, plan.transfers());
    } else {
      assertEquals(chunks, plan.transfers().size());
      assertEquals(pairs, plan.transfers().stream().distinct().toList());
    }
  }

  /** Without a forced chunk or a remainder kept under m, no rank exceeds the capacity. */
  @Property(tries = 300)
  void capacityHoldsUnlessAChunkWasForced(@ForAll("cases") Case c) {
    Plan plan = llep(c);
    if (plan.forcedChunks() == 0) {
      assertTrue(plan.maxLoad() <= plan.capacity(), plan.toString());
    }
  }

  /** With m = 1 and alpha >= 1 nothing is ever forced: P * cap >= T leaves room for every slot. */
  @Property(tries = 200)
  void minimalChunksNeverForce(@ForAll("cases") Case c) {
    PlannerOptions options = c.options().withMinTokensPerGemm(1).withVariant(Fixtures.DEFAULT);
    Plan plan = new LeastLoadedPlanner(options).plan(c.counts(), c.placement());
    assertEquals(0, plan.forcedChunks());
    assertTrue(plan.maxLoad() <= plan.capacity());
    assertTrue(plan.maxLoad() <= Math.max(plan.capacity(), plan.epMaxLoad()));
  }

  /** In the default variant every chunk a helper computes is worth its transfer: >= m slots. */
  @Property(tries = 300)
  void helperChunksReachTheMinimum(@ForAll("cases") Case c) {
    if (c.options().variant() != PlannerOptions.Variant.DEFAULT) {
      return;
    }
    Plan plan = llep(c);
    for (int e = 0; e < c.placement().experts(); e++) {
      for (Assignment a : plan.assignments(e)) {
        if (a.rank() != c.placement().nativeRank(e)) {
          assertTrue(a.length() >= c.options().minTokensPerGemm(), "expert " + e + " " + a);
        }
      }
    }
  }

  @Property(tries = 300)
  void sendMatrixRowsAreSlotsAndColumnsAreLoads(@ForAll("cases") Case c) {
    Plan plan = llep(c);
    long[][] send = plan.sendMatrix(c.counts());
    int ranks = c.placement().ranks();
    for (int r = 0; r < ranks; r++) {
      assertEquals(Fixtures.sum(c.counts()[r]), Fixtures.sum(send[r]), "row " + r);
      long column = 0;
      for (int s = 0; s < ranks; s++) {
        column += send[s][r];
      }
      assertEquals(plan.load(r), column, "column " + r);
    }
  }

  /** Pieces and segments describe the same rows as the send matrix, in wire order. */
  @Property(tries = 200)
  void piecesAndSegmentsAgreeWithTheSendMatrix(@ForAll("cases") Case c) {
    Plan plan = llep(c);
    long[][] send = plan.sendMatrix(c.counts());
    int ranks = c.placement().ranks();
    int experts = c.placement().experts();
    long[][][] rows = new long[ranks][ranks][experts];
    for (int s = 0; s < ranks; s++) {
      List<List<SlotPiece>> pieces = plan.sendPieces(c.counts(), s);
      for (int e = 0; e < experts; e++) {
        long next = 0;
        SlotPiece previous = null;
        for (SlotPiece piece : pieces.get(e)) {
          assertEquals(next, piece.offset());
          assertTrue(previous == null || previous.destination() != piece.destination());
          rows[s][piece.destination()][e] += piece.length();
          next += piece.length();
          previous = piece;
        }
        assertEquals(c.counts()[s][e], next, "source " + s + " expert " + e);
      }
    }
    for (int d = 0; d < ranks; d++) {
      List<List<Segment>> segments = plan.receiveSegments(c.counts(), d);
      for (int s = 0; s < ranks; s++) {
        List<Segment> expected = new ArrayList<>();
        long total = 0;
        for (int e = 0; e < experts; e++) {
          if (rows[s][d][e] > 0) {
            expected.add(new Segment(e, rows[s][d][e]));
            total += rows[s][d][e];
          }
        }
        assertEquals(expected, segments.get(s), "source " + s + " destination " + d);
        assertEquals(send[s][d], total);
      }
    }
  }

  @Property(tries = 200)
  void standardEpKeepsEveryExpertNative(@ForAll("cases") Case c) {
    Plan plan = new StandardEpPlanner(c.options()).plan(c.counts(), c.placement());
    assertArrayEquals(plan.epLoads(), plan.loads());
    assertTrue(plan.transfers().isEmpty());
    for (int e = 0; e < c.placement().experts(); e++) {
      assertEquals(Fixtures.whole(c.placement().nativeRank(e), plan.count(e)), plan.assignments(e));
    }
    long[][] send = plan.sendMatrix(c.counts());
    for (int s = 0; s < c.placement().ranks(); s++) {
      for (int d = 0; d < c.placement().ranks(); d++) {
        long expected = 0;
        for (int e = c.placement().firstExpert(d);
            e < c.placement().firstExpert(d) + c.placement().expertsPerRank();
            e++) {
          expected += c.counts()[s][e];
        }
        assertEquals(expected, send[s][d]);
      }
    }
  }

  /** The plan depends on the column sums only, and equal inputs give equal plans. */
  @Property(tries = 200)
  void deterministicAndOnlyColumnSumsMatter(@ForAll("cases") Case c) {
    Plan plan = llep(c);
    assertEquals(plan, llep(c));
    long[][] moved = new long[c.placement().ranks()][];
    for (int r = 0; r < moved.length; r++) {
      moved[r] = c.counts()[moved.length - 1 - r].clone();
    }
    assertEquals(plan, Planner.leastLoaded(c.options()).plan(moved, c.placement()));
  }

  @Property(tries = 200)
  void autoAppliesLlepFromLambdaOn(@ForAll("cases") Case c) {
    Plan auto = Planner.create(DispatchMode.AUTO, c.options()).plan(c.counts(), c.placement());
    boolean imbalanced = auto.imbalance().perRank() >= c.options().lambda();
    assertEquals(imbalanced, auto.llepApplied());
    assertEquals(!imbalanced, auto.isBalancedFallback());
    Plan reference =
        imbalanced ? llep(c) : new StandardEpPlanner(c.options()).plan(c.counts(), c.placement());
    assertEquals(reference.assignments(), auto.assignments());
    assertEquals(reference.transfers(), auto.transfers());
    assertArrayEquals(reference.loads(), auto.loads());
  }
}
