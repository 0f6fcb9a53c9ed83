package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private final ConfigLoader loader = new ConfigLoader();

  private Config load(String... args) {
    return loader.load(Optional.empty(), List.of(args)).config();
  }

  private ResolvedConfig loadRecipe(String recipe, String... args) throws IOException {
    Path file = Files.writeString(dir.resolve("recipe.conf"), recipe);
    return loader.load(Optional.of(file), List.of(args));
  }

  @Test
  void defaultsComeFromBaseAndTheDefaultOptions() {
    ResolvedConfig resolved = loader.load(Optional.empty(), List.of());
    Config config = resolved.config();
    assertEquals(1234, config.getInt("seed"));
    assertEquals(-1, config.getInt("debug.fail-rank"));
    assertEquals(1e-8, config.getDouble("optim.eps"));
    assertEquals("auto", config.getString("verify.tolerance"));
    assertEquals(List.of(64), config.getIntList("verify.tokens-per-rank"));
    assertEquals("tcp", config.getString("comm.backend"));
    assertEquals(Duration.ofMinutes(5), config.getDuration("comm.timeout"));
    assertEquals("auto", config.getString("llep.mode"));
    assertEquals(1.3, config.getDouble("llep.lambda"));
    assertEquals(Map.of("comm", "tcp", "llep", "default"), resolved.groups());
    assertEquals("default", config.getString("defaults.llep"));
  }

  @Test
  void laterLayersWinInOrderBaseGroupRecipeCommandLine() throws IOException {
    ResolvedConfig resolved =
        loadRecipe(
            """
            defaults { llep = always }
            seed = 7
            llep.alpha = 1.5
            llep.lambda = 2.0
            verify.experts = 16
            """,
            "llep.alpha=3",
            "seed=8");
    Config config = resolved.config();
    assertEquals("llep", config.getString("llep.mode"), "group option over nothing");
    assertEquals(1024, config.getInt("llep.min-tokens-per-gemm"), "group option value kept");
    assertEquals(2.0, config.getDouble("llep.lambda"), "recipe over group option");
    assertEquals(16, config.getInt("verify.experts"), "recipe over base");
    assertEquals(3.0, config.getDouble("llep.alpha"), "command line over recipe");
    assertEquals(8, config.getInt("seed"), "command line over recipe");
    assertEquals(List.of(2), config.getIntList("verify.top-k"), "base kept");
  }

  @Test
  void groupChoiceSwapsTheWholeSubtree() {
    Config config = load("llep=cpu-test", "comm=tcp");
    assertEquals("llep", config.getString("llep.mode"));
    assertEquals(4, config.getInt("llep.min-tokens-per-gemm"));
    assertEquals(1.0, config.getDouble("llep.lambda"));
    assertEquals("tcp", config.getString("comm.backend"));
    assertEquals("cpu-test", config.getString("defaults.llep"));
  }

  @Test
  void swappingAwayDropsKeysOnlyTheOldOptionHad() {
    assertFalse(load("comm=tcp").hasPath("comm.nccl-library"));
  }

  @Test
  void recipeDefaultsBlockPicksOptions() throws IOException {
    ResolvedConfig resolved = loadRecipe("defaults { llep = ep }\n");
    assertEquals("ep", resolved.config().getString("llep.mode"));
    assertEquals(Map.of("comm", "tcp", "llep", "ep"), resolved.groups());
  }

  @Test
  void commandLineChoiceBeatsRecipeChoiceButRecipeValuesStillApply() throws IOException {
    ResolvedConfig resolved =
        loadRecipe("defaults { llep = ep }\nllep.alpha = 1.25\n", "llep=always");
    assertEquals("always", resolved.groups().get("llep"));
    assertEquals("llep", resolved.config().getString("llep.mode"));
    assertEquals(1.25, resolved.config().getDouble("llep.alpha"));
  }

  @Test
  void laterArgumentsWin() {
    Config config = load("llep=ep", "seed=1", "llep=always", "seed=2");
    assertEquals("llep", config.getString("llep.mode"));
    assertEquals(2, config.getInt("seed"));
  }

  @Test
  void listOverrideReplacesTheList() {
    Config config =
        load("verify.tokens-per-rank=[1,2,0]", "verify.modes=[llep]", "plan.loads=[5, 0]");
    assertEquals(List.of(1, 2, 0), config.getIntList("verify.tokens-per-rank"));
    assertEquals(List.of("llep"), config.getStringList("verify.modes"));
    assertEquals(List.of(5, 0), config.getIntList("plan.loads"));
  }

  @Test
  void commandLineValuesAreHocon() {
    Config config =
        load(
            "verify.bias=true",
            "verify.tolerance=1e-3",
            "verify.imbalance=\"one hot\"",
            "verify.dtype=float16",
            "comm.timeout=30 seconds",
            "comm.bind-host=10.0.0.1",
            "debug.fail-rank=1");
    assertEquals(true, config.getBoolean("verify.bias"));
    assertEquals(1e-3, config.getDouble("verify.tolerance"));
    assertEquals("one hot", config.getString("verify.imbalance"));
    assertEquals("float16", config.getString("verify.dtype"));
    assertEquals(Duration.ofSeconds(30), config.getDuration("comm.timeout"));
    assertEquals("10.0.0.1", config.getString("comm.bind-host"));
    assertEquals(1, config.getInt("debug.fail-rank"));
  }

  @Test
  void substitutionsResolveAfterOverrides() throws IOException {
    Config config =
        loadRecipe(
                "plan.ranks = ${verify.experts}\nverify.hidden = ${verify.ffn}\n",
                "verify.experts=4")
            .config();
    assertEquals(4, config.getInt("plan.ranks"));
    assertEquals(48, config.getInt("verify.hidden"));
    assertEquals(4, load("verify.experts=4", "plan.ranks=${verify.experts}").getInt("plan.ranks"));
  }

  @Test
  void selfReferenceAppendsToTheDefault() {
    Config config = load("verify.modes=${verify.modes} [ep]");
    assertEquals(List.of("ep", "llep", "ep"), config.getStringList("verify.modes"));
  }

  @Test
  void recipeObjectsMergeWithDefaults() throws IOException {
    Config config = loadRecipe("verify { experts = 4, top-k = 1 }\n").config();
    assertEquals(4, config.getInt("verify.experts"));
    assertEquals(32, config.getInt("verify.hidden"));
  }

  @Test
  void recipeMayIncludeAFileBesideIt() throws IOException {
    Files.writeString(dir.resolve("common.conf"), "seed = 99\n");
    assertEquals(99, loadRecipe("include \"common.conf\"\n").config().getInt("seed"));
  }

  @Test
  void extraSearchDirectoryAddsAndShadowsOptions() throws IOException {
    Path llep = Files.createDirectories(dir.resolve("mine/llep"));
    Files.writeString(
        llep.resolve("wide.conf"),
        "mode = llep\n" + "alpha = 2.0\n" + "min-tokens-per-gemm = 8\n" + "lambda = 1.0\n");
    Files.writeString(llep.resolve("ep.conf"), "mode = ep\nalpha = 9.0\n");
    ConfigLoader custom = new ConfigLoader(List.of(dir.resolve("mine")));
    Config wide = custom.load(Optional.empty(), List.of("llep=wide")).config();
    assertEquals(2.0, wide.getDouble("llep.alpha"));
    Config shadowed = custom.load(Optional.empty(), List.of("llep=ep")).config();
    assertEquals(9.0, shadowed.getDouble("llep.alpha"));
    assertFalse(shadowed.hasPath("llep.lambda"), "the user's option replaces the bundled one");
    assertEquals("auto", custom.load(Optional.empty(), List.of()).config().getString("llep.mode"));
  }

  @Test
  void missingSearchDirectoryIsAnError() {
    ConfigError error =
        assertThrows(ConfigError.class, () -> new ConfigLoader(List.of(dir.resolve("nope"))));
    assertEquals(
        "config search directory does not exist: " + dir.resolve("nope"), error.getMessage());
  }

  @Test
  void emptyValueIsTheEmptyString() {
    assertEquals("", load("verify.imbalance=").getString("verify.imbalance"));
  }

  @Test
  void textHoconWouldCutIsALiteralString() {
    assertEquals(
        "http://host:5000/x",
        load("comm.bind-host=http://host:5000/x").getString("comm.bind-host"));
    assertEquals("a#b", load("comm.bind-host=a#b").getString("comm.bind-host"));
    assertEquals("host:29500", load("comm.bind-host=host:29500").getString("comm.bind-host"));
  }

  @Test
  void keysBelowAnEmptyDefaultObjectAreFree() throws IOException {
    Path tracking = Files.createDirectories(dir.resolve("mine/tracking"));
    Files.writeString(tracking.resolve("local.conf"), "uri = \"\"\ntags {}\n");
    ConfigLoader custom = new ConfigLoader(List.of(dir.resolve("mine")));
    Config config =
        custom
            .load(
                Optional.empty(),
                List.of("tracking=local", "tracking.tags.team=moe", "tracking.tags.n=3"))
            .config();
    assertEquals("moe", config.getString("tracking.tags.team"));
    assertEquals(3, config.getInt("tracking.tags.n"));
  }
}
