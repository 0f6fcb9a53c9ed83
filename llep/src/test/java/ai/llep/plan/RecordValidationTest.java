package ai.llep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The compact constructors reject bad values and say which. */
class RecordValidationTest {

  private static void rejects(String message, Executable construct) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, construct).getMessage());
  }

  @Test
  void placement() {
    ExpertPlacement p = new ExpertPlacement(128, 8);
    assertEquals(16, p.expertsPerRank());
    assertEquals(0, p.nativeRank(15));
    assertEquals(1, p.nativeRank(16));
    assertEquals(7, p.nativeRank(127));
    assertEquals(32, p.firstExpert(2));
    rejects("experts (10) must be divisible by ranks (4)", () -> new ExpertPlacement(10, 4));
    rejects("ranks must be >= 1, got 0", () -> new ExpertPlacement(8, 0));
    rejects("experts must be >= 1, got 0", () -> new ExpertPlacement(0, 2));
    rejects("expert must be in [0, 128), got 128", () -> p.nativeRank(128));
  }

  @Test
  void options() {
    PlannerOptions d = PlannerOptions.defaults();
    assertEquals(new PlannerOptions(1.0, 1024, 1.3, PlannerOptions.Variant.DEFAULT), d);
    rejects(
        "alpha must be finite and > 0, got 0.0",
        () -> new PlannerOptions(0, 1024, 1.3, PlannerOptions.Variant.DEFAULT));
    rejects(
        "alpha must be finite and > 0, got NaN",
        () -> new PlannerOptions(Double.NaN, 1024, 1.3, PlannerOptions.Variant.DEFAULT));
    rejects(
        "minTokensPerGemm must be >= 1, got 0",
        () -> new PlannerOptions(1, 0, 1.3, PlannerOptions.Variant.DEFAULT));
    rejects(
        "lambda must be finite and > 0, got -1.0",
        () -> new PlannerOptions(1, 1, -1, PlannerOptions.Variant.DEFAULT));
    rejects("variant must not be null", () -> new PlannerOptions(1, 1, 1.3, null));
  }

  @Test
  void capacityRules() {
    PlannerOptions d = new PlannerOptions(1.1, 256, 1.3, PlannerOptions.Variant.DEFAULT);
    assertEquals(275, d.capacity(1993, 8));
    assertEquals(273, d.withVariant(PlannerOptions.Variant.REFERENCE).capacity(1993, 8));
    assertEquals(16000, PlannerOptions.defaults().capacity(31999, 2));
  }

  @Test
  void smallRecords() {
    assertEquals(5, new Assignment(1, 3, 8).length());
    rejects(
        "assignment range must satisfy 0 <= start < end, got [3, 3)",
        () -> new Assignment(0, 3, 3));
    rejects("assignment rank must be >= 0, got -1", () -> new Assignment(-1, 0, 1));
    rejects("transfer of expert 4 from rank 2 to itself", () -> new WeightTransfer(4, 2, 2));
    rejects(
        "slot piece needs destination >= 0, offset >= 0, length >= 1, got 0, 0, 0",
        () -> new SlotPiece(0, 0, 0));
    rejects("segment needs expert >= 0 and rows >= 1, got 1, 0", () -> new Segment(1, 0));
  }

  @Test
  void countMatrixShape() {
    ExpertPlacement p = new ExpertPlacement(4, 2);
    Planner planner = new StandardEpPlanner();
    rejects(
        "counts row 1 must have 4 columns (one per expert), got 3",
        () -> planner.plan(new long[][] {{1, 2, 3, 4}, {1, 2, 3}}, p));
    rejects(
        "counts[0][2] must be >= 0, got -3",
        () -> planner.plan(new long[][] {{1, 2, -3, 4}, {1, 2, 3, 4}}, p));
    rejects("counts must not be null", () -> planner.plan(null, p));
    long half = Long.MAX_VALUE / 2 + 1;
    rejects(
        "slot counts overflow a long",
        () -> planner.plan(new long[][] {{half, 0, 0, 0}, {half, 0, 0, 0}}, p));
    long big = (Long.MAX_VALUE >>> 2) + 1;
    rejects(
        "count of expert 1 is " + big + ", planning needs it <= " + (Long.MAX_VALUE >>> 2),
        () ->
            new LeastLoadedPlanner(PlannerOptions.defaults())
                .plan(new long[][] {{0, big, 0, 0}, {0, 0, 0, 0}}, p));
  }

  @Test
  void planConsistency() {
    ExpertPlacement p = new ExpertPlacement(2, 2);
    Imbalance flat = new Imbalance(1.0, 1.0);
    long[] c = {4, 4};
    long[] loads = {4, 4};
    List<List<Assignment>> gap =
        List.of(
            List.of(new Assignment(0, 0, 2), new Assignment(1, 3, 4)),
            List.of(new Assignment(1, 0, 4)));
    rejects(
        "assignments of expert 0 must be contiguous: Assignment[rank=1, start=3, end=4] after 2",
        () -> new Plan(p, DispatchMode.LLEP, true, 4, c, gap, List.of(), loads, loads, 0, flat));
    List<List<Assignment>> moved =
        List.of(List.of(new Assignment(1, 0, 4)), List.of(new Assignment(1, 0, 4)));
    rejects(
        "loads [4, 4] differ from assignment sums [0, 8]",
        () -> new Plan(p, DispatchMode.LLEP, true, 4, c, moved, List.of(), loads, loads, 0, flat));
    rejects(
        "transfers must be exactly the (expert, helper) pairs of non-native assignments, got []",
        () ->
            new Plan(
                p,
                DispatchMode.LLEP,
                true,
                4,
                c,
                moved,
                List.of(),
                loads,
                new long[] {0, 8},
                0,
                flat));
    rejects(
        "a plan for mode EP cannot apply LLEP",
        () -> new Plan(p, DispatchMode.EP, true, 4, c, moved, List.of(), loads, loads, 0, flat));
  }

  @Test
  void planArraysAreCopied() {
    long[][] counts = {{3, 1}, {0, 0}};
    Plan plan = new StandardEpPlanner().plan(counts, new ExpertPlacement(2, 2));
    plan.loads()[0] = 99;
    plan.expertCounts()[0] = 99;
    counts[0][0] = 99;
    assertEquals(3, plan.load(0));
    assertEquals(3, plan.count(0));
  }
}
