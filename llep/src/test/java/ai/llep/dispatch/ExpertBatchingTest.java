package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.plan.Segment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ExpertBatchingTest {
  @Test
  void smallNeighboursBatchFirstThenSingleExpertsLargestFirst() {
    // Rank owns experts 4..7; expert 2 is borrowed.
    List<Segment> segments =
        List.of(
            new Segment(2, 5000),
            new Segment(4, 9000),
            new Segment(5, 100),
            new Segment(6, 90),
            new Segment(7, 110));
    List<ExpertWork> work = ExpertBatching.plan(segments, 4, 4, 1024);
    assertEquals(
        List.of(
            new ExpertWork(List.of(2, 3, 4), 1, 3, 110, 300),
            ExpertWork.single(1, 9000),
            ExpertWork.single(0, 5000)),
        work);
  }

  @Test
  void separateExpertsOrNoBatchRowsNeverBatch() {
    List<Segment> segments = List.of(new Segment(0, 10), new Segment(1, 10));
    assertTrue(ExpertBatching.plan(segments, 0, 0, 1024).stream().noneMatch(ExpertWork::batched));
    assertTrue(ExpertBatching.plan(segments, 0, 2, 0).stream().noneMatch(ExpertWork::batched));
  }

  @Test
  void aBatchSpansAnExpertWithoutRowsAsPadding() {
    List<Segment> segments = List.of(new Segment(0, 10), new Segment(2, 12));
    List<ExpertWork> work = ExpertBatching.plan(segments, 0, 3, 1024);
    assertEquals(List.of(new ExpertWork(List.of(0, 1), 0, 3, 12, 22)), work);
  }

  @Property(tries = 300)
  void everySegmentRunsOnceWithinThePaddingBound(
      @ForAll @IntRange(min = 1, max = 24) int experts,
      @ForAll @IntRange(min = 0, max = 23) int firstNative,
      @ForAll @IntRange(min = 0, max = 12) int nativeCount,
      @ForAll @IntRange(min = 0, max = 600) int batchRows,
      @ForAll long seed) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    List<Segment> segments = new ArrayList<>();
    for (int e = 0; e < experts; e++) {
      if (random.nextInt(4) > 0) {
        segments.add(
            new Segment(
                e, random.nextInt(4) == 0 ? random.nextInt(1, 5000) : random.nextInt(1, 300)));
      }
    }
    List<ExpertWork> work = ExpertBatching.plan(segments, firstNative, nativeCount, batchRows);
    Set<Integer> seen = new HashSet<>();
    long previousCost = Long.MAX_VALUE;
    boolean singles = false;
    for (ExpertWork w : work) {
      if (!w.batched() && !singles) {
        singles = true;
        previousCost = Long.MAX_VALUE;
      }
      assertTrue(!w.batched() || !singles, "batches first: " + work);
      assertTrue(w.cost() <= previousCost, "largest first: " + work);
      previousCost = w.cost();
      for (int s : w.segments()) {
        assertTrue(seen.add(s), "segment " + s + " runs twice: " + work);
      }
      if (!w.batched()) {
        continue;
      }
      long real = 0;
      long largest = 0;
      for (int s : w.segments()) {
        Segment segment = segments.get(s);
        int local = segment.expert() - firstNative;
        assertTrue(local >= w.firstLocal() && local < w.firstLocal() + w.localCount(), "in range");
        assertTrue(segment.rows() <= batchRows, "only small experts batch");
        real += segment.rows();
        largest = Math.max(largest, segment.rows());
      }
      assertEquals(real, w.rows());
      assertEquals(largest, w.paddedRows());
      assertTrue(w.segments().size() >= 2, "a batch has two experts or more");
      assertTrue(
          largest <= ExpertBatching.TILE_ROWS || w.cost() <= ExpertBatching.MAX_PADDING * real,
          "padding bound: " + w);
    }
    assertEquals(segments.size(), seen.size(), "every segment runs");
  }
}
