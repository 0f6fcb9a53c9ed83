package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArgumentsTest {
  private static final Set<String> GROUPS = Set.of("comm", "llep");

  @Test
  void singleSegmentGroupNamesAreChoicesEverythingElseOverrides() {
    Arguments arguments =
        Arguments.parse(List.of("llep=ep", "seed=3", "llep.alpha=2", "comm = nccl "), GROUPS);
    assertEquals(Map.of("llep", "ep", "comm", "nccl"), arguments.choices());
    assertEquals(
        List.of(
            new Arguments.KeyOverride("seed", "3"), new Arguments.KeyOverride("llep.alpha", "2")),
        arguments.overrides());
  }

  @Test
  void splitsAtTheFirstEqualsSign() {
    Arguments arguments = Arguments.parse(List.of("a.b=x=y"), GROUPS);
    assertEquals(List.of(new Arguments.KeyOverride("a.b", "x=y")), arguments.overrides());
  }

  @Test
  void quotedSegmentsKeepTheirDots() {
    Arguments arguments = Arguments.parse(List.of("tags.\"a.b\"=1"), GROUPS);
    assertEquals("tags.\"a.b\"", arguments.overrides().getFirst().key());
  }

  @Test
  void laterChoiceWins() {
    assertEquals(
        Map.of("llep", "always"),
        Arguments.parse(List.of("llep=ep", "llep=always"), GROUPS).choices());
  }
}
