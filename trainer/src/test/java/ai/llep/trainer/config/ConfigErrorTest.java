package ai.llep.trainer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The error messages a user sees, checked word for word. */
class ConfigErrorTest {
  @TempDir Path dir;

  private final ConfigLoader loader = new ConfigLoader();

  private String error(String... args) {
    return assertThrows(ConfigError.class, () -> loader.load(Optional.empty(), List.of(args)))
        .getMessage();
  }

  private String recipeError(String recipe, String... args) throws IOException {
    Path file = Files.writeString(dir.resolve("recipe.conf"), recipe);
    return assertThrows(ConfigError.class, () -> loader.load(Optional.of(file), List.of(args)))
        .getMessage();
  }

  @Test
  void typoOnTheCommandLineSuggestsTheKey() {
    assertEquals(
        "unknown key 'llep.alhpa' (command line); did you mean 'llep.alpha'?",
        error("llep.alhpa=2"));
  }

  @Test
  void missingParentIsFoundByTheLastSegment() {
    assertEquals(
        "unknown key 'min-tokens-per-gemm' (command line); did you mean"
            + " 'llep.min-tokens-per-gemm'?",
        error("min-tokens-per-gemm=4"));
  }

  @Test
  void typoInARecipeNamesFileAndLine() throws IOException {
    String message = recipeError("seed = 1\n\nverify {\n  exprets = 4\n}\n");
    assertEquals(
        "unknown key 'verify.exprets' ("
            + dir.resolve("recipe.conf")
            + ":4); did you mean 'verify.experts'?",
        message);
  }

  @Test
  void farFromEveryKeyListsTheValidKeysNearby() {
    assertEquals(
        "unknown key 'verify.zzzzzzzz' (command line); valid keys under 'verify': bias, dtype,"
            + " expert-function, experts, ffn, hidden, imbalance, modes, router, tokens-per-rank,"
            + " tolerance, top-k",
        error("verify.zzzzzzzz=1"));
    assertEquals(
        "unknown key 'zzzzzzzz' (command line); valid top-level keys: bench, checkpoint, comm,"
            + " comm-check, data, debug, generate, llep, lora, model, optim, plan, planner,"
            + " preview, profile, seed, tracking, train, verify",
        error("zzzzzzzz=1"));
  }

  @Test
  void keyOfAnotherOptionNamesThatOption() throws IOException {
    Path comm = Files.createDirectories(dir.resolve("mine/comm"));
    Files.writeString(comm.resolve("tuned.conf"), "backend = tcp\nsocket-buffer = 4 MiB\n");
    ConfigLoader custom = new ConfigLoader(List.of(dir.resolve("mine")));
    String message =
        assertThrows(
                ConfigError.class,
                () -> custom.load(Optional.empty(), List.of("comm.socket-buffer=1 MiB")))
            .getMessage();
    assertEquals(
        "unknown key 'comm.socket-buffer' (command line); comm option 'tcp' has no such key, but"
            + " tuned has it; choose one with comm=<option>",
        message);
  }

  @Test
  void unknownOptionListsTheValidOnesSorted() {
    assertEquals(
        "unknown option 'missing' for config group 'llep' (command line); valid options:"
            + " always, cpu-test, default, ep",
        error("llep=missing"));
  }

  @Test
  void unknownOptionInARecipeNamesFileAndLine() throws IOException {
    assertEquals(
        "unknown option 'tpc' for config group 'comm' ("
            + dir.resolve("recipe.conf")
            + ":2); valid options: auto, nccl, tcp",
        recipeError("defaults {\n  comm = tpc\n}\n"));
  }

  @Test
  void unknownGroupInRecipeDefaultsListsTheGroups() throws IOException {
    assertEquals(
        "unknown config group 'optimizer' in defaults ("
            + dir.resolve("recipe.conf")
            + ":1); valid groups: comm, llep",
        recipeError("defaults.optimizer = adamw\n"));
  }

  @Test
  void commandLineCannotSetTheDefaultsBlock() {
    assertEquals(
        "command-line argument 'defaults.llep=ep' sets the defaults block; choose a group option"
            + " with <group>=<option>",
        error("defaults.llep=ep"));
  }

  @Test
  void wrongTypesNameTheKeyAndTheExpectedType() {
    assertEquals(
        "key 'seed' (command line) must be an integer, got a string: \"abc\"", error("seed=abc"));
    assertEquals(
        "key 'verify.experts' (command line) must be an integer, got a number: 2.5",
        error("verify.experts=2.5"));
    assertEquals(
        "key 'verify.top-k' (command line) must be a list of integers, got a number: 2.5",
        error("verify.top-k=2.5"));
    assertEquals(
        "key 'verify.bias' (command line) must be a boolean, got a string: \"yes\"",
        error("verify.bias=yes"));
    assertEquals(
        "key 'verify.tokens-per-rank' (command line) must be a list of integers, got a list:"
            + " [1,\"x\"]",
        error("verify.tokens-per-rank=[1,x]"));
    assertEquals(
        "key 'verify' (command line) must be an object, got an integer: 3", error("verify=3"));
    assertEquals(
        "key 'comm.timeout' (command line) must be a string, got a list of integers: [1]",
        error("comm.timeout=[1]"));
  }

  @Test
  void wholeNumbersFitIntegerKeysAndIntegersFitNumberKeys() {
    ResolvedConfig resolved =
        loader.load(Optional.empty(), List.of("verify.experts=8.0", "llep.alpha=2"));
    assertEquals(8, resolved.config().getInt("verify.experts"));
    assertEquals(2.0, resolved.config().getDouble("llep.alpha"));
  }

  @Test
  void wrongTypeInARecipeNamesFileAndLine() throws IOException {
    assertEquals(
        "key 'llep.lambda' ("
            + dir.resolve("recipe.conf")
            + ":2) must be a number, got a string: \"high\"",
        recipeError("llep {\n  lambda = high\n}\n"));
  }

  @Test
  void argumentWithoutEqualsSignSaysSo() {
    assertEquals(
        "command-line argument 'seed' is not of the form key=value or group=option", error("seed"));
  }

  @Test
  void argumentWithEmptyKeySaysSo() {
    assertEquals("command-line argument '=3' has an empty key", error("=3"));
  }

  @Test
  void argumentWithAnInvalidPathSaysSo() {
    assertTrue(
        error("verify..experts=3")
            .startsWith("command-line argument 'verify..experts=3' has an invalid key"));
  }

  @Test
  void groupChoiceWithoutOptionSaysSo() {
    assertEquals("command-line argument 'llep=' names no option for group 'llep'", error("llep="));
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    assertEquals(
        "2 configuration errors:\n"
            + "  unknown key 'llep.alhpa' (command line); did you mean 'llep.alpha'?\n"
            + "  unknown key 'sed' (command line); did you mean 'seed'?",
        error("llep.alhpa=2", "sed=3"));
  }

  @Test
  void missingRecipeFileSaysSo() {
    Path missing = dir.resolve("missing.conf");
    ConfigError error =
        assertThrows(ConfigError.class, () -> loader.load(Optional.of(missing), List.of()));
    assertEquals("recipe file not found: " + missing, error.getMessage());
  }

  @Test
  void recipeSyntaxErrorNamesFileAndLine() throws IOException {
    assertTrue(recipeError("seed = 1\nverify {\n").contains("recipe.conf: 3"));
  }

  @Test
  void unresolvableSubstitutionSaysWhich() {
    assertTrue(error("seed=${nope}").contains("nope"));
  }

  @Test
  void keyOfAGroupWithNoChoiceAsksForOne() throws IOException {
    Path sampler = Files.createDirectories(dir.resolve("mine/sampler"));
    Files.writeString(sampler.resolve("greedy.conf"), "temperature = 0.0\n");
    Files.writeString(sampler.resolve("nucleus.conf"), "temperature = 0.7\n");
    ConfigLoader custom = new ConfigLoader(List.of(dir.resolve("mine")));
    ConfigError error =
        assertThrows(
            ConfigError.class,
            () -> custom.load(Optional.empty(), List.of("sampler.temperature=1")));
    assertEquals(
        "unknown key 'sampler.temperature' (command line); no option of group 'sampler' is chosen;"
            + " add sampler=<option> (options: greedy, nucleus)",
        error.getMessage());
    assertEquals(
        1e-3,
        custom
            .load(Optional.empty(), List.of("optim=sgd", "optim.lr=1e-3"))
            .config()
            .getDouble("optim.lr"));
  }

  @Test
  void defaultsBlockMustBeAnObject() throws IOException {
    assertEquals(
        "'defaults' (" + dir.resolve("recipe.conf") + ":1) must be an object of <group> = <option>",
        recipeError("defaults = ep\n"));
  }

  @Test
  void defaultsEntryMustNameAnOption() throws IOException {
    assertEquals(
        "defaults.llep (" + dir.resolve("recipe.conf") + ":1) must name an option of group 'llep'",
        recipeError("defaults.llep = [ep]\n"));
  }
}
