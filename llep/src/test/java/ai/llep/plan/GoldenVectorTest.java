package ai.llep.plan;

import static ai.llep.plan.Fixtures.DEFAULT;
import static ai.llep.plan.Fixtures.REFERENCE;
import static ai.llep.plan.Fixtures.a;
import static ai.llep.plan.Fixtures.llep;
import static ai.llep.plan.Fixtures.onRankZero;
import static ai.llep.plan.Fixtures.t;
import static ai.llep.plan.Fixtures.whole;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The golden vectors of LLEP.md, for the reference and the default variant. */
class GoldenVectorTest {
  private static final long[] GV5_COUNTS = {
    10, 8, 5, 5, 7, 11, 817, 374, 5, 40, 5, 652, 12, 6, 8, 28
  };

  @Test
  void gv1Reference() {
    Plan plan = llep(REFERENCE, 1.0, 1024, onRankZero(2, 2214, 29785), 2);
    assertEquals(15999, plan.capacity());
    assertEquals(
        List.of(a(1, 0, 15999), a(0, 15999, 29784), a(0, 29784, 29785)), plan.assignments(1));
    assertEquals(List.of(a(0, 0, 2213), a(1, 2213, 2214)), plan.assignments(0));
    assertArrayEquals(new long[] {15999, 16000}, plan.loads());
    assertEquals(List.of(t(0, 0, 1), t(1, 1, 0), t(1, 1, 0)), plan.transfers());
    assertEquals(2, plan.forcedChunks());
  }

  @Test
  void gv1Default() {
    Plan plan = llep(DEFAULT, 1.0, 1024, onRankZero(2, 2214, 29785), 2);
    assertEquals(16000, plan.capacity());
    assertEquals(List.of(a(1, 0, 16000), a(0, 16000, 29785)), plan.assignments(1));
    assertEquals(whole(0, 2214), plan.assignments(0));
    assertArrayEquals(new long[] {15999, 16000}, plan.loads());
    assertEquals(List.of(t(1, 1, 0)), plan.transfers());
    assertEquals(0, plan.forcedChunks());
  }

  @Test
  void gv2BothVariants() {
    long[] c = new long[16];
    Arrays.fill(c, 88);
    c[0] = 1432;
    c[1] = 1432;
    for (PlannerOptions.Variant variant : PlannerOptions.Variant.values()) {
      Plan plan = llep(variant, 1.0, 256, onRankZero(2, c), 16);
      assertEquals(2048, plan.capacity(), variant.name());
      assertEquals(List.of(a(0, 0, 88), a(1, 88, 1432)), plan.assignments(0), variant.name());
      for (int e = 1; e < 16; e++) {
        assertEquals(whole(e / 8, c[e]), plan.assignments(e), variant + " expert " + e);
      }
      assertArrayEquals(new long[] {2048, 2048}, plan.loads(), variant.name());
      assertEquals(List.of(t(0, 0, 1)), plan.transfers(), variant.name());
    }
  }

  @Test
  void gv4CountsFromTheHotColdGenerator() {
    long[] c = columnSums(SyntheticRouting.hotColdCounts(2, 128, 32768, 4, 95, 4));
    for (int e = 0; e < 4; e++) {
      assertEquals(62258, c[e]);
    }
    for (int e = 4; e < 128; e++) {
      assertTrue(c[e] >= 104 && c[e] <= 112, "expert " + e + " has " + c[e]);
    }
    assertEquals(104, Arrays.stream(c, 4, 128).min().getAsLong());
    assertEquals(112, Arrays.stream(c, 4, 128).max().getAsLong());
    assertEquals(262144, Fixtures.sum(c));
  }

  @Test
  void gv4BothVariants() {
    long[][] counts = SyntheticRouting.hotColdCounts(2, 128, 32768, 4, 95, 4);
    for (PlannerOptions.Variant variant : PlannerOptions.Variant.values()) {
      Plan plan = llep(variant, 1.0, 1024, counts, 128);
      assertEquals(131072, plan.capacity(), variant.name());
      assertEquals(List.of(a(1, 0, 62258)), plan.assignments(0), variant.name());
      assertEquals(List.of(a(0, 0, 100), a(1, 100, 62258)), plan.assignments(1), variant.name());
      assertEquals(whole(0, 62258), plan.assignments(2), variant.name());
      assertEquals(whole(0, 62258), plan.assignments(3), variant.name());
      assertArrayEquals(new long[] {131072, 131072}, plan.loads(), variant.name());
      assertEquals(List.of(t(0, 0, 1), t(1, 0, 1)), plan.transfers(), variant.name());
    }
  }

  @Test
  void gv5Reference() {
    Plan plan = llep(REFERENCE, 1.1, 256, onRankZero(8, GV5_COUNTS), 16);
    assertEquals(273, plan.capacity());
    assertEquals(List.of(a(1, 0, 263), a(1, 263, 817)), plan.assignments(6));
    assertEquals(817, plan.maxLoad());
    assertEquals(1191, plan.epMaxLoad());
    assertEquals(2, plan.transfers().stream().filter(x -> x.equals(t(6, 3, 1))).count());
  }

  @Test
  void gv5Default() {
    Plan plan = llep(DEFAULT, 1.1, 256, onRankZero(8, GV5_COUNTS), 16);
    assertEquals(275, plan.capacity());
    assertEquals(
        List.of(a(1, 0, 265), a(0, 265, 522), a(2, 522, 779), a(3, 779, 817)), plan.assignments(6));
    assertEquals(List.of(a(5, 0, 270), a(6, 270, 527), a(5, 527, 652)), plan.assignments(11));
    for (int e = 0; e < 16; e++) {
      if (e != 6 && e != 11) {
        assertEquals(whole(e / 2, GV5_COUNTS[e]), plan.assignments(e), "expert " + e);
      }
    }
    assertArrayEquals(new long[] {275, 275, 275, 412, 45, 400, 275, 36}, plan.loads());
    assertEquals(412, plan.maxLoad());
    assertEquals(1191, plan.epMaxLoad());
    assertEquals(List.of(t(6, 3, 0), t(6, 3, 1), t(6, 3, 2), t(11, 5, 6)), plan.transfers());
    // Kept native under m: e6's last 38, e11's last 125, e7's last 137, and all 5 of e10.
    assertEquals(4, plan.forcedChunks());
  }

  @Test
  void gv6BothVariants() {
    long[][] counts = SyntheticRouting.hotColdCounts(8, 128, 32768, 4, 95, 1);
    assertEquals(996128, columnSums(counts)[0]);
    for (PlannerOptions.Variant variant : PlannerOptions.Variant.values()) {
      Plan plan = llep(variant, 1.0, 1024, counts, 128);
      List<Assignment> e0 = plan.assignments(0);
      assertEquals(8, e0.size(), variant.name());
      assertEquals(a(0, 0, 125192), e0.get(0), variant.name());
      Set<Integer> helpers = new HashSet<>();
      for (Assignment x : e0.subList(1, 8)) {
        helpers.add(x.rank());
        assertTrue(x.length() >= 124416 && x.length() <= 124440, variant + " " + x);
      }
      assertEquals(Set.of(1, 2, 3, 4, 5, 6, 7), helpers, variant.name());
      for (long load : plan.loads()) {
        assertEquals(131072, load, variant.name());
      }
      for (int e = 1; e < 128; e++) {
        assertEquals(whole(e / 16, plan.count(e)), plan.assignments(e), variant + " expert " + e);
      }
      assertEquals(7, plan.transfers().size(), variant.name());
    }
  }

  private static long[] columnSums(long[][] counts) {
    return RoutingCounts.columnSums(counts, new ExpertPlacement(counts[0].length, counts.length));
  }
}
