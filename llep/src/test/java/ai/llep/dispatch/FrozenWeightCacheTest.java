package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cache's directory is the same on every rank: hits, least-recently-used eviction within the
 * budget, experts larger than the budget never kept; only the helper holds tensors, and tensors it
 * evicts live until the step that evicted them ends.
 */
class FrozenWeightCacheTest {
  @Test
  void keepsWhatFitsAndEvictsTheLeastRecentlyUsedIntoTheStep() {
    try (NDManager root = NDManager.newBaseManager();
        FrozenWeightCache cache = new FrozenWeightCache(200, root)) {
      FrozenWeightCache.Layer layer = cache.layer(3);
      NDManager step = root.newSubManager();
      assertFalse(layer.admit(0, 0, 5, 100, step), "a first loan is a miss");
      NDArray five = step.ones(new Shape(25));
      layer.keep(0, 5, List.of(five));
      assertFalse(layer.admit(0, 0, 6, 100, step));
      NDArray six = step.ones(new Shape(25));
      layer.keep(0, 6, List.of(six));
      step.close();
      assertFalse(five.isReleased(), "a kept tensor outlives the step it arrived in");
      assertEquals(200, cache.heldBytes(0));

      NDManager next = root.newSubManager();
      assertTrue(layer.admit(0, 0, 5, 100, next), "expert 5 is held");
      assertSame(five, layer.tensors(5).getFirst());
      assertFalse(layer.admit(0, 0, 7, 100, next), "expert 7 is new");
      assertThrows(IllegalStateException.class, () -> layer.tensors(6), "6 was least recent");
      assertFalse(five.isReleased());
      assertFalse(layer.admit(0, 0, 8, 300, next), "larger than the budget");
      assertFalse(layer.admit(0, 0, 8, 300, next), "and never kept");
      assertFalse(six.isReleased(), "an evicted tensor lives until its step ends");
      next.close();
      assertTrue(six.isReleased(), "and is freed with it");
      assertTrue(layer.admit(0, 0, 5, 100, root.newSubManager()));
    }
  }

  @Test
  void everyRankKeepsTheDirectoryOfEveryHelperButHoldsOnlyItsOwn() {
    try (NDManager root = NDManager.newBaseManager();
        FrozenWeightCache cache = new FrozenWeightCache(100, root)) {
      FrozenWeightCache.Layer layer = cache.layer(0);
      NDManager step = root.newSubManager();
      assertFalse(layer.admit(0, 1, 2, 100, step), "rank 1 borrows expert 2");
      layer.keep(0, 2, List.of(step.ones(new Shape(1))));
      assertTrue(layer.admit(0, 1, 2, 100, step), "rank 0 knows rank 1 holds it now");
      assertFalse(layer.admit(0, 0, 2, 100, step), "rank 0 itself does not");
      assertEquals(100, cache.heldBytes(1));
      assertFalse(cache.layer(1).admit(0, 1, 2, 100, step), "another layer's expert 2");
      step.close();
    }
  }

  @Test
  void aBudgetBelowOneByteIsRefused() {
    try (NDManager root = NDManager.newBaseManager()) {
      assertEquals(
          "a weight cache needs a budget >= 1 byte, got 0",
          assertThrows(IllegalArgumentException.class, () -> new FrozenWeightCache(0, root))
              .getMessage());
    }
  }
}
