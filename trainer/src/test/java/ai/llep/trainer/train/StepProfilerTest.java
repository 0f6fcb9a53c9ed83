package ai.llep.trainer.train;

import static ai.llep.trainer.train.FixtureRuns.launch;
import static ai.llep.trainer.train.FixtureRuns.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code profile.steps}: the profiled steps' operators reach a trace, and numerics stay equal. */
class StepProfilerTest {
  @TempDir Path dir;

  @Test
  void profiledStepsWriteEachRanksOperatorTraceAndTrainTheSame() throws Exception {
    Path plain = dir.resolve("plain");
    Path profiled = dir.resolve("profiled");
    Path traces = dir.resolve("traces");
    Files.createDirectories(plain);
    Files.createDirectories(profiled);
    FixtureRuns.Launch reference = launch(2, rank -> settings(plain, 2, 3)).requireSuccess();
    FixtureRuns.Launch run =
        launch(
                2,
                rank ->
                    FixtureRuns.withProfile(
                        settings(profiled, 2, 3), ProfileOptions.parse("2-3", traces)))
            .requireSuccess();

    assertEquals(losses(reference), losses(run));
    for (int rank = 0; rank < 2; rank++) {
      Path trace = traces.resolve("profile-rank" + rank + ".json");
      JsonArray events = JsonParser.parseString(Files.readString(trace)).getAsJsonArray();
      Set<String> names = new HashSet<>();
      for (JsonElement e : events) {
        names.add(e.getAsJsonObject().get("name").getAsString());
      }
      assertTrue(names.contains("aten::mm") || names.contains("aten::matmul"), names.toString());
      assertFalse(names.isEmpty());
    }
  }

  private static java.util.List<Double> losses(FixtureRuns.Launch launch) {
    return launch.metrics().steps().values().stream().map(m -> m.get("loss")).toList();
  }

  @Test
  void stepsParseOrSayWhatIsAccepted() {
    Path here = Path.of(".");
    assertFalse(ProfileOptions.parse("", here).enabled());
    ProfileOptions one = ProfileOptions.parse("4", here);
    assertTrue(one.covers(4));
    assertFalse(one.covers(5));
    ProfileOptions range = ProfileOptions.parse(" 3-5 ", here);
    assertTrue(range.covers(3) && range.covers(5));
    assertFalse(range.covers(2) || range.covers(6));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ProfileOptions.parse("3..4", here));
    assertEquals(
        "profile.steps = \"3..4\" is not empty, N or FIRST-LAST with 1 <= FIRST <= LAST (for example \"3-4\")",
        e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ProfileOptions.parse("5-3", here));
    assertThrows(IllegalArgumentException.class, () -> ProfileOptions.parse("0", here));
  }
}
