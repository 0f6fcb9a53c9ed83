package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** comm-check through the launcher, and what the launcher does when a rank fails or goes silent. */
class CommCheckIT {
  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {1, 2, 3, 4})
  void everyCollectiveMatchesTheDirectComputation(int ranks) {
    Launch.Outcome outcome =
        Launch.run(
            ranks,
            Duration.ofMinutes(3),
            "comm-check",
            "comm-check.bandwidth-bytes=262144",
            "seed=" + (17 + ranks));
    assertEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.hasLine("comm-check PASS"), outcome.output());
    assertTrue(outcome.output().contains("all-to-all-v"), outcome.output());
  }

  @Test
  void aFailingRankStopsTheJobQuicklyAndIsNamed() {
    Launch.Outcome outcome =
        Launch.run(3, Duration.ofMinutes(2), "comm-check", "debug.fail-rank=1", "comm.timeout=10m");
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().contains("launch: rank 1 exited with code"), outcome.output());
    assertTrue(outcome.output().contains("debug.fail-rank=1"), outcome.output());
    assertTrue(
        outcome.elapsed().compareTo(Duration.ofSeconds(30 + 15)) < 0,
        "took " + outcome.elapsed() + " (JVM start included)");
  }

  @Test
  void aSilentRankMakesTheOthersTimeOutNamingIt() {
    Launch.Outcome outcome =
        Launch.run(3, Duration.ofMinutes(2), "comm-check", "debug.hang-rank=2", "comm.timeout=4s");
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().matches("(?s).*\\[rank [01]\\] .*rank 2.*"), outcome.output());
    assertTrue(outcome.output().toLowerCase().contains("timed out"), outcome.output());
  }

  @Test
  void aTypoInAKeyNamesTheClosestValidKey() {
    Launch.Outcome outcome = Launch.run(1, Duration.ofMinutes(1), "comm-check", "llep.alhpa=2");
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().contains("did you mean 'llep.alpha'"), outcome.output());
  }

  @Test
  void aMissingGroupOptionListsTheValidOnes() {
    Launch.Outcome outcome = Launch.run(1, Duration.ofMinutes(1), "comm-check", "llep=missing");
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().contains("always, cpu-test, default, ep"), outcome.output());
  }
}
