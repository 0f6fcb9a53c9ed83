package ai.llep.trainer.train;

import static ai.llep.trainer.train.FixtureRuns.launch;
import static ai.llep.trainer.train.FixtureRuns.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code profile.steps}: the profiled steps report their phases, and numerics stay equal. */
class StepProfilerTest {
  @TempDir Path dir;

  @Test
  void profiledStepsReportTheirPhasesAndTrainTheSame() throws Exception {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    Path profiled = Files.createDirectories(dir.resolve("profiled"));
    FixtureRuns.Launch reference = launch(2, rank -> settings(plain, 2, 3)).requireSuccess();
    FixtureRuns.Launch run =
        launch(
                2,
                rank ->
                    FixtureRuns.withProfile(settings(profiled, 2, 3), ProfileOptions.parse("2-3")))
            .requireSuccess();

    assertEquals(losses(reference), losses(run));
    List<String> all = run.output().lines().filter(l -> l.contains("profile step")).toList();
    List<String> lines = all.stream().filter(l -> !l.contains("by tape part")).toList();
    List<String> parts = all.stream().filter(l -> l.contains("by tape part")).toList();
    assertEquals(2, lines.size(), run.output());
    assertEquals(2, parts.size(), run.output());
    // Every part of the tape back to the first layer's cut is named, with how many carried it.
    assertTrue(parts.get(0).startsWith("rank 0 profile step 2 backward by tape part: output "));
    assertTrue(parts.get(1).matches(".*, cut \\d+\\.\\d{4} s \\(\\d+\\).*"), parts.get(1));
    assertTrue(lines.get(0).startsWith("rank 0 profile step 2: batches "), lines.get(0));
    for (String phase :
        List.of(
            "forward",
            "backward",
            "absorb",
            "gradients",
            "optimizer",
            "release",
            "check",
            "report")) {
      assertTrue(lines.get(1).contains(", " + phase + " "), lines.get(1));
    }
    assertFalse(reference.output().contains("profile step"));
  }

  private static List<Double> losses(FixtureRuns.Launch launch) {
    return launch.metrics().steps().values().stream().map(m -> m.get("loss")).toList();
  }

  @Test
  void stepsParseOrSayWhatIsAccepted() {
    assertFalse(ProfileOptions.parse("").enabled());
    ProfileOptions one = ProfileOptions.parse("4");
    assertTrue(one.covers(4));
    assertFalse(one.covers(5));
    ProfileOptions range = ProfileOptions.parse(" 3-5 ");
    assertTrue(range.covers(3) && range.covers(5));
    assertFalse(range.covers(2) || range.covers(6));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ProfileOptions.parse("3..4"));
    assertEquals(
        "profile.steps = \"3..4\" is not empty, N or FIRST-LAST with 1 <= FIRST <= LAST (for"
            + " example \"3-4\")",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ProfileOptions.parse("5-3"));
    assertThrows(IllegalArgumentException.class, () -> ProfileOptions.parse("0"));
  }
}
