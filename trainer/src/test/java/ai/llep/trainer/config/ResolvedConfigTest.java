package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResolvedConfigTest {
  @TempDir Path dir;

  private final ConfigLoader loader = new ConfigLoader();

  private ResolvedConfig load(String... args) {
    return loader.load(Optional.empty(), List.of(args));
  }

  @Test
  void renderParsesBackToTheSameConfig() {
    ResolvedConfig resolved =
        load("llep=cpu-test", "comm=tcp", "verify.tokens-per-rank=[1,2,0]", "verify.imbalance=a b");
    assertEquals(resolved.config(), ConfigFactory.parseString(resolved.render()).resolve());
  }

  @Test
  void renderedTextIsARecipeThatReproducesTheRun() throws IOException {
    ResolvedConfig original = load("llep=always", "comm=tcp", "seed=5", "plan.loads=[3,1]");
    Path saved = Files.writeString(dir.resolve("resolved.conf"), original.render());
    ResolvedConfig reloaded = loader.load(Optional.of(saved), List.of());
    assertEquals(original.config(), reloaded.config());
    assertEquals(original.groups(), reloaded.groups());
  }

  @Test
  void renderSortsKeysAndHasNoComments() {
    String text = load().render();
    assertFalse(text.contains("#"), text);
    List<String> topLevel =
        text.lines().filter(line -> !line.startsWith(" ") && line.contains("{")).toList();
    assertEquals(topLevel.stream().sorted().toList(), topLevel);
    assertTrue(topLevel.containsAll(List.of("comm {", "defaults {", "llep {", "verify {")), text);
    assertTrue(text.contains("\nseed=1234\n") || text.contains("\nseed = 1234\n"), text);
  }

  @Test
  void flattenGivesDottedKeysAndValuesAsWritten() {
    Map<String, String> flat = load("llep=ep").flatten();
    assertEquals("1234", flat.get("seed"));
    assertEquals("1e-8", flat.get("optim.eps"));
    assertEquals("1.0", flat.get("llep.alpha"));
    assertEquals("5 minutes", flat.get("comm.timeout"));
    assertEquals("", flat.get("comm.bind-host"));
    assertEquals("false", flat.get("verify.bias"));
    assertEquals("[\"ep\",\"llep\"]", flat.get("verify.modes"));
    assertEquals("[]", flat.get("plan.loads"));
    assertEquals("ep", flat.get("defaults.llep"));
    assertEquals(List.copyOf(flat.keySet()), flat.keySet().stream().sorted().toList());
  }

  @Test
  void groupsAreSortedAndImmutable() {
    ResolvedConfig resolved = load("llep=ep");
    assertEquals(List.of("comm", "llep"), List.copyOf(resolved.groups().keySet()));
    assertThrows(UnsupportedOperationException.class, () -> resolved.groups().put("x", "y"));
  }

  @Test
  void rejectsAnUnresolvedConfig() {
    IllegalArgumentException error =
        assertThrows(
            IllegalArgumentException.class,
            () -> new ResolvedConfig(ConfigFactory.parseString("a = ${b}\nb = 1"), Map.of()));
    assertEquals("config has unresolved substitutions", error.getMessage());
  }
}
