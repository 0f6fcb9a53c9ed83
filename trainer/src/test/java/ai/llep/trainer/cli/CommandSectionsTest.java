package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.config.ResolvedConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Each command prints and tracks only the config sections it reads; {@code --full-config} gives
 * every one.
 */
class CommandSectionsTest {
  private static final Path RECIPE =
      Path.of("").toAbsolutePath().getParent().resolve("recipes/tiny-moe-sft.conf");

  private static ResolvedConfig load(String... args) {
    return new ConfigLoader().load(Optional.of(RECIPE), List.of(args));
  }

  private static CommandArgs args(boolean fullConfig) {
    CommandArgs args = new CommandArgs();
    args.fullConfig = fullConfig;
    return args;
  }

  private static Set<String> sections(ResolvedConfig shown) {
    return shown.config().root().keySet();
  }

  private static Set<String> paramPrefixes(ResolvedConfig shown) {
    return shown.flatten().keySet().stream()
        .map(key -> key.split("\\.")[0])
        .collect(Collectors.toSet());
  }

  @Test
  void trainShowsItsOwnSectionsAndThePlannerItUses() {
    ResolvedConfig resolved = load();
    ResolvedConfig shown =
        Settings.shown(
            resolved, args(false), Settings.withPlanner(resolved.config(), TrainCommand.SECTIONS));
    Set<String> expected =
        Set.of(
            "model",
            "data",
            "optim",
            "train",
            "checkpoint",
            "tracking",
            "llep",
            "comm",
            "seed",
            "planner");
    assertEquals(expected, sections(shown));
    assertEquals(expected, paramPrefixes(shown), "the tracked params");
    String text = shown.render();
    for (String unrelated : List.of("bench", "verify", "plan ", "comm-check", "debug")) {
      assertFalse(text.contains(unrelated), unrelated + " in\n" + text);
    }
  }

  @Test
  void withPlainEpTrainLeavesThePlannerOut() {
    ResolvedConfig resolved = load("llep=ep");
    ResolvedConfig shown =
        Settings.shown(
            resolved, args(false), Settings.withPlanner(resolved.config(), TrainCommand.SECTIONS));
    assertFalse(sections(shown).contains("planner"));
  }

  @Test
  void fullConfigShowsEverySection() {
    ResolvedConfig resolved = load();
    ResolvedConfig shown = Settings.shown(resolved, args(true), TrainCommand.SECTIONS);
    assertEquals(resolved.config().root().keySet(), sections(shown));
    assertTrue(sections(shown).containsAll(Set.of("bench", "verify", "plan", "comm-check")));
  }

  @Test
  void theOtherCommandsDeclareTheirOwn() {
    ResolvedConfig resolved = load();
    assertEquals(
        Set.of("comm-check", "comm", "seed"),
        sections(Settings.shown(resolved, args(false), CommCheckCommand.SECTIONS)));
    assertEquals(
        Set.of("verify", "llep", "planner", "comm", "seed"),
        sections(Settings.shown(resolved, args(false), VerifyCommand.SECTIONS)));
    assertEquals(
        Set.of("bench", "llep", "planner", "comm", "seed"),
        sections(Settings.shown(resolved, args(false), BenchCommand.SECTIONS)));
  }
}
