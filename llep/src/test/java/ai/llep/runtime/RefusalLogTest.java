package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A flood of refusals takes one WARN line per interval, with the count and the last one. */
class RefusalLogTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void theFirstRefusalIsNamedAndTheRestSummedUpPerInterval() throws Exception {
    try (LogCapture logs = new LogCapture();
        RefusalLog log =
            new RefusalLog(
                LoggerFactory.getLogger(RefusalLogTest.class), "t", Duration.ofMillis(200))) {
      log.refused("a:1", "first");
      log.refused("b:2", "second");
      log.refused("c:3", "third");
      String summary =
          "WARN refused 2 more unauthenticated connections to t in the last 200ms"
              + " (last from c:3: third)";
      assertNotNull(logs.await(summary::equals, WAIT), logs.lines().toString());
      Thread.sleep(1000); // a quiet interval ends the spell
      log.refused("d:4", "fourth");
      assertEquals(
          List.of(
              "WARN refused connection from a:1 to t: first",
              summary,
              "WARN refused connection from d:4 to t: fourth"),
          logs.lines());
    }
  }

  @Test
  void closingReportsWhatIsLeft() {
    List<String> lines;
    try (LogCapture logs = new LogCapture()) {
      try (RefusalLog log =
          new RefusalLog(LoggerFactory.getLogger(RefusalLogTest.class), "t", Duration.ofHours(1))) {
        for (int i = 0; i < 636; i++) {
          log.refused("x:" + i, "reason " + i);
        }
      }
      lines = logs.lines();
    }
    assertEquals(
        List.of(
            "WARN refused connection from x:0 to t: reason 0",
            "WARN refused 635 more unauthenticated connections to t in the last 3600s"
                + " (last from x:635: reason 635)"),
        lines);
  }
}
