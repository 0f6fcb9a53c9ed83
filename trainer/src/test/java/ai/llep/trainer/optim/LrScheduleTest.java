package ai.llep.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LrScheduleTest {
  private static final double PEAK = 1e-3;
  private static final double EPS = 1e-15;

  @Test
  void warmupRisesLinearlyToThePeak() {
    LrSchedule schedule = LrSchedule.cosine(PEAK, 10, 110, 0.1);
    assertEquals(1e-4, schedule.at(0), EPS);
    assertEquals(5e-4, schedule.at(4), EPS);
    assertEquals(PEAK, schedule.at(9), EPS);
    assertEquals(PEAK, schedule.at(10), EPS);
  }

  @Test
  void cosineFallsToTheMinimumAndStays() {
    LrSchedule schedule = LrSchedule.cosine(PEAK, 10, 110, 0.1);
    assertEquals(1e-4 + 0.9e-3 * 0.5, schedule.at(60), EPS);
    assertEquals(1e-4 + 0.9e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), schedule.at(35), EPS);
    assertEquals(1e-4 + 0.9e-3 * 0.5 * (1 + Math.cos(Math.PI * 0.99)), schedule.at(109), EPS);
    assertEquals(1e-4, schedule.at(110), EPS);
    assertEquals(1e-4, schedule.at(1_000_000), EPS);
  }

  @Test
  void linearFallsToTheMinimumAndStays() {
    LrSchedule schedule = LrSchedule.linear(PEAK, 10, 110, 0.1);
    assertEquals(PEAK, schedule.at(10), EPS);
    assertEquals(PEAK - 0.9e-3 * 0.25, schedule.at(35), EPS);
    assertEquals(5.5e-4, schedule.at(60), EPS);
    assertEquals(1e-4, schedule.at(110), EPS);
    assertEquals(0, LrSchedule.linear(PEAK, 0, 4, 0).at(4), EPS);
  }

  @Test
  void withoutWarmupTheFirstStepHasThePeak() {
    assertEquals(PEAK, LrSchedule.cosine(PEAK, 0, 100, 0).at(0), EPS);
    assertEquals(PEAK, LrSchedule.linear(PEAK, 0, 100, 0).at(0), EPS);
  }

  @Test
  void constantIsConstantAndCanFollowAWarmup() {
    LrSchedule constant = LrSchedule.constant(3e-4);
    assertEquals(3e-4, constant.at(0), EPS);
    assertEquals(3e-4, constant.at(123_456), EPS);
    LrSchedule warm = new LrSchedule(PEAK, 4, 4, 1, LrSchedule.Decay.CONSTANT);
    assertEquals(2.5e-4, warm.at(0), EPS);
    assertEquals(PEAK, warm.at(4), EPS);
    assertEquals(PEAK, warm.at(400), EPS);
  }

  @Test
  void decayThatEndsWithTheWarmupDropsToTheMinimum() {
    LrSchedule schedule = LrSchedule.cosine(PEAK, 5, 5, 0.5);
    assertEquals(PEAK, schedule.at(4), EPS);
    assertEquals(5e-4, schedule.at(5), EPS);
  }

  @Test
  void invalidSchedulesAreRejectedWithTheValue() {
    assertEquals(
        "total steps (5) must be >= warmup steps (10)",
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(PEAK, 10, 5, 0))
            .getMessage());
    assertEquals(
        "min learning-rate ratio must be in [0, 1], got 1.5",
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.linear(PEAK, 0, 5, 1.5))
            .getMessage());
    assertEquals(
        "peak learning rate must be finite and > 0, got 0.0",
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(0)).getMessage());
    assertEquals(
        "step must be >= 0, got -1",
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.constant(1).at(-1))
            .getMessage());
  }
}
