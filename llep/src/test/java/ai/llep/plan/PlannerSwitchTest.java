package ai.llep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Dispatch modes, the lambda switch and the imbalance ratios. */
class PlannerSwitchTest {
  private static final ExpertPlacement FOUR_BY_TWO = new ExpertPlacement(8, 4);

  @Test
  void ninetyFiveToOneOnFourRanksBalancesToTheCapacity() {
    long[][] counts = SyntheticRouting.hotColdCounts(4, 16, 4096, 4, 95, 1);
    ExpertPlacement placement = new ExpertPlacement(16, 4);
    PlannerOptions options = new PlannerOptions(1.0, 16, 1.3, PlannerOptions.Variant.DEFAULT);
    Plan plan = Planner.create(DispatchMode.AUTO, options).plan(counts, placement);
    assertTrue(plan.llepApplied());
    long mean = plan.totalSlots() / 4;
    assertEquals(16384, mean);
    assertEquals(mean, plan.capacity());
    assertTrue(plan.maxLoad() <= plan.capacity(), plan.toString());
    double gain = (double) plan.epMaxLoad() / plan.maxLoad();
    assertTrue(gain > 3.8 && gain <= 4.0, "EP max / LLEP max = " + gain);
    Plan ep = Planner.create(DispatchMode.EP, options).plan(counts, placement);
    assertEquals(plan.epMaxLoad(), ep.maxLoad());
  }

  @Test
  void ratiosPerRankAndPerExpert() {
    // Native loads 40, 0, 0, 0 (mean 10); expert counts 30, 10, 0... (mean 5).
    long[][] counts = Fixtures.onRankZero(4, 30, 10, 0, 0, 0, 0, 0, 0);
    Plan plan = new StandardEpPlanner().plan(counts, FOUR_BY_TWO);
    assertEquals(new Imbalance(4.0, 6.0), plan.imbalance());
    assertEquals(
        new Imbalance(1.0, 1.0),
        new StandardEpPlanner().plan(new long[4][8], FOUR_BY_TWO).imbalance());
  }

  @Test
  void autoSwitchesAtLambdaInclusive() {
    // Native loads 13, 9, 9, 9: ratio 13 / 10 = 1.3; then 12, 10, 9, 9: ratio 1.2.
    long[][] atLambda = Fixtures.onRankZero(4, 13, 0, 9, 0, 9, 0, 9, 0);
    long[][] below = Fixtures.onRankZero(4, 12, 0, 10, 0, 9, 0, 9, 0);
    PlannerOptions options = new PlannerOptions(1.0, 1, 1.3, PlannerOptions.Variant.DEFAULT);
    Planner auto = Planner.create(DispatchMode.AUTO, options);
    Plan switched = auto.plan(atLambda, FOUR_BY_TWO);
    assertEquals(1.3, switched.imbalance().perRank());
    assertTrue(switched.llepApplied());
    assertFalse(switched.isBalancedFallback());
    assertEquals(10, switched.maxLoad());
    Plan fallback = auto.plan(below, FOUR_BY_TWO);
    assertTrue(fallback.isBalancedFallback());
    assertEquals(DispatchMode.AUTO, fallback.mode());
    assertEquals(12, fallback.maxLoad());
    assertTrue(fallback.transfers().isEmpty());
    Plan forced = Planner.create(DispatchMode.LLEP, options).plan(below, FOUR_BY_TWO);
    assertTrue(forced.llepApplied());
    assertEquals(10, forced.maxLoad());
    Plan ep = Planner.create(DispatchMode.EP, options).plan(atLambda, FOUR_BY_TWO);
    assertFalse(ep.llepApplied());
    assertFalse(ep.isBalancedFallback());
    assertEquals(13, ep.maxLoad());
  }

  @Test
  void factoryPicksTheVariant() {
    PlannerOptions defaults = PlannerOptions.defaults();
    assertInstanceOf(LeastLoadedPlanner.class, Planner.create(DispatchMode.LLEP, defaults));
    assertInstanceOf(
        ReferencePlanner.class,
        Planner.create(DispatchMode.LLEP, defaults.withVariant(PlannerOptions.Variant.REFERENCE)));
    assertInstanceOf(StandardEpPlanner.class, Planner.create(DispatchMode.EP, defaults));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ReferencePlanner(defaults));
    assertEquals(
        "ReferencePlanner runs variant REFERENCE, options ask for DEFAULT", e.getMessage());
  }

  @Test
  void singleRankKeepsEverythingEvenUnderCapacityPressure() {
    PlannerOptions tight = new PlannerOptions(0.5, 1, 1.3, PlannerOptions.Variant.DEFAULT);
    Plan plan =
        new LeastLoadedPlanner(tight).plan(new long[][] {{7, 5}}, new ExpertPlacement(2, 1));
    assertEquals(6, plan.capacity());
    // Expert 0 keeps its first slot under capacity, the other 6 have no other rank to go to.
    assertEquals(List.of(Fixtures.a(0, 0, 7)), plan.assignments(0));
    assertEquals(List.of(Fixtures.a(0, 0, 5)), plan.assignments(1));
    assertEquals(2, plan.forcedChunks());
    assertEquals(12, plan.maxLoad());
    assertTrue(plan.transfers().isEmpty());
  }

  @Test
  void zeroSlotsGiveAnEmptyPlan() {
    Plan plan =
        Planner.create(DispatchMode.LLEP, PlannerOptions.defaults())
            .plan(new long[4][8], FOUR_BY_TWO);
    assertEquals(0, plan.capacity());
    assertEquals(0, plan.maxLoad());
    for (int e = 0; e < 8; e++) {
      assertTrue(plan.assignments(e).isEmpty());
    }
  }
}
