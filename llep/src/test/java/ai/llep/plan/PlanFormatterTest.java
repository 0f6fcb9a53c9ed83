package ai.llep.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class PlanFormatterTest {

  @Test
  void rendersGoldenVectorFive() {
    long[] c = {10, 8, 5, 5, 7, 11, 817, 374, 5, 40, 5, 652, 12, 6, 8, 28};
    Plan plan =
        Fixtures.llep(PlannerOptions.Variant.DEFAULT, 1.1, 256, Fixtures.onRankZero(8, c), 16);
    String expected =
        """
        llep mode=LLEP applied=true ratio_rank=4.781 ratio_expert=6.559 forced_chunks=4
        expert 6 (native 3, 817 slots): [0,265)->1 [265,522)->0 [522,779)->2 [779,817)->3
        expert 11 (native 5, 652 slots): [0,270)->5 [270,527)->6 [527,652)->5
        rank 0 load 18 -> 275
        rank 1 load 10 -> 275
        rank 2 load 18 -> 275
        rank 3 load 1191 -> 412
        rank 4 load 45 -> 45
        rank 5 load 657 -> 400
        rank 6 load 18 -> 275
        rank 7 load 36 -> 36
        transfer expert 6 rank 3 -> 0
        transfer expert 6 rank 3 -> 1
        transfer expert 6 rank 3 -> 2
        transfer expert 11 rank 5 -> 6
        plan cap=275 max_load=412 ep_max_load=1191 transfers=4\
        """;
    assertEquals(expected, PlanFormatter.format(plan));
    assertEquals(
        "plan cap=275 max_load=412 ep_max_load=1191 transfers=4", PlanFormatter.summary(plan));
  }

  @Test
  void standardEpHasNoSpilledExperts() {
    Plan plan =
        new StandardEpPlanner().plan(new long[][] {{5, 0}, {1, 2}}, new ExpertPlacement(2, 2));
    String text = PlanFormatter.format(plan);
    assertEquals(
        """
        llep mode=EP applied=false ratio_rank=1.500 ratio_expert=1.500 forced_chunks=0
        rank 0 load 6 -> 6
        rank 1 load 2 -> 2
        plan cap=4 max_load=6 ep_max_load=6 transfers=0\
        """,
        text);
  }
}
