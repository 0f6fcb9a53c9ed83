package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The train command through the launcher: the default recipe, exactness, crash safety. */
class TrainIT {
  private static final String RECIPE =
      Launch.projectRoot().resolve("recipes/tiny-moe-sft.conf").toString();

  /** Short runs for the comparisons: small rows, every step tracked. */
  private static final String[] SHORT = {
    "data.max-length=48",
    "data.batch-size=4",
    "train.log-every=1",
    "optim.warmup-steps=5",
    "train.export-dir=\"\""
  };

  @TempDir Path dir;

  @Test
  void theDefaultRecipeLearnsAndLeavesCheckpointExportAndRun() throws IOException {
    Launch.Outcome outcome = Launch.run(dir, 2, Duration.ofMinutes(10), "train", RECIPE);
    assertEquals(0, outcome.exitCode(), outcome.output());
    TreeMap<Long, Double> losses = MlflowRuns.losses(dir);
    assertEquals(120, losses.size(), "one loss per step");
    double first = losses.firstEntry().getValue();
    double last = losses.lastEntry().getValue();
    assertTrue(last <= 0.7 * first, "loss fell from " + first + " to " + last + " only");
    assertTrue(
        Files.isDirectory(dir.resolve("checkpoints/tiny-moe-sft/step-00000120")), outcome.output());
    Path export = dir.resolve("outputs/tiny-moe-sft/step-120");
    assertTrue(Files.isRegularFile(export.resolve("config.json")), outcome.output());
    assertTrue(
        Files.readString(export.resolve("chat_template.jinja")).contains("<|im_start|>"),
        "the export carries the chatml template the tiny model trained with");
    try (Stream<Path> files = Files.list(export)) {
      assertTrue(
          files.anyMatch(p -> p.toString().endsWith(".safetensors")),
          "no safetensors in " + export);
    }
    Path run = MlflowRuns.runs(dir.resolve("mlruns")).getFirst();
    assertTrue(Files.isRegularFile(run.resolve("params/optim.lr")), "params not logged");
    assertTrue(
        Files.readString(run.resolve("meta.yaml")).contains("status: 3"), "run not FINISHED");
    assertConsoleAndRunAreLean(outcome, run);
  }

  /** The console shows train's own config and rates; the run holds summaries, loads and plots. */
  private static void assertConsoleAndRunAreLean(Launch.Outcome outcome, Path run)
      throws IOException {
    String output = outcome.output();
    for (String unrelated : List.of("verify {", "bench {", "comm-check {", "debug {", "plan {")) {
      assertFalse(output.contains(unrelated), unrelated + " printed:\n" + output);
    }
    assertTrue(
        output.matches(
            "(?s).*step 120/120 \\| .* \\| processed [0-9.k]+ tok/s \\| loss [0-9.k]+"
                + " tok/s \\| .* \\| peak host mem [0-9.]+ [MG]iB \\| .*"),
        output);
    assertTrue(output.contains("summary: steps 1-120 (120)"), output);
    try (Stream<Path> params = Files.list(run.resolve("params"))) {
      assertTrue(
          params.map(p -> p.getFileName().toString()).noneMatch(p -> p.startsWith("bench.")),
          "bench keys logged as params");
    }
    assertFalse(Files.exists(run.resolve("metrics/moe/layer0/expert0_load")));
    assertTrue(Files.isRegularFile(run.resolve("metrics/moe/layer0/expert_load_max")));
    assertTrue(
        Files.isRegularFile(
            run.resolve("artifacts/moe/expert_loads/steps-00000081-00000120.jsonl")));
    assertTrue(Files.isRegularFile(run.resolve("artifacts/report/expert_load_layer0.png")));
  }

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {2, 3})
  void epAndLlepGiveTheSameLossesFor20Steps(int ranks) throws IOException {
    Map<String, TreeMap<Long, Double>> byMode = new java.util.HashMap<>();
    for (String mode : new String[] {"ep", "llep"}) {
      Path work = Files.createDirectories(dir.resolve(mode));
      Launch.Outcome outcome =
          Launch.run(
              work,
              ranks,
              Duration.ofMinutes(4),
              concat(
                  "train",
                  RECIPE,
                  "llep.mode=" + mode,
                  "llep.lambda=1.0",
                  "llep.min-tokens-per-gemm=4",
                  "model.tiny-experts=6",
                  "train.max-steps=20",
                  "checkpoint.every=0"));
      assertEquals(0, outcome.exitCode(), outcome.output());
      byMode.put(mode, MlflowRuns.losses(work));
      if (mode.equals("llep")) {
        assertTrue(
            outcome.output().matches("(?s).*imbalance \\d\\.\\d\\d -> 1\\.0\\d.*"),
            "LLEP did not rebalance:\n" + outcome.output());
      }
    }
    assertEquals(20, byMode.get("ep").size());
    for (long step : byMode.get("ep").keySet()) {
      double ep = byMode.get("ep").get(step);
      double llep = byMode.get("llep").get(step);
      assertEquals(ep, llep, 1e-4 * Math.abs(ep), "step " + step);
    }
  }

  @Test
  void aRankKilledMidStepResumesToTheSameLossesInTheSameRun() throws IOException {
    String[] common = {"train", RECIPE, "train.max-steps=16", "checkpoint.every=5"};
    Path straight = Files.createDirectories(dir.resolve("straight"));
    Launch.Outcome reference = Launch.run(straight, 2, Duration.ofMinutes(4), concat(common));
    assertEquals(0, reference.exitCode(), reference.output());

    // Rank 0 holds the tracked run, which its SIGKILL leaves RUNNING.
    Path crashed = Files.createDirectories(dir.resolve("crashed"));
    Launch.Outcome killed =
        Launch.run(
            crashed,
            2,
            Duration.ofMinutes(4),
            with(common, "debug.sigkill-rank=0", "debug.sigkill-step=12"));
    assertNotEquals(0, killed.exitCode(), killed.output());
    assertTrue(killed.output().contains("launch: rank 0 was killed by signal 9"), killed.output());
    assertTrue(
        Files.isDirectory(crashed.resolve("checkpoints/tiny-moe-sft/step-00000010")),
        killed.output());
    Path run = MlflowRuns.runs(crashed.resolve("mlruns")).getFirst();
    assertTrue(Files.readString(run.resolve("meta.yaml")).contains("status: 1\n"));

    Launch.Outcome resumed =
        Launch.run(crashed, 2, Duration.ofMinutes(4), with(common, "train.resume=latest"));
    assertEquals(0, resumed.exitCode(), resumed.output());
    assertTrue(resumed.output().contains("at step 10"), resumed.output());
    assertEquals(
        List.of(run), MlflowRuns.runs(crashed.resolve("mlruns")), "the same run continues");
    assertTrue(Files.readString(run.resolve("meta.yaml")).contains("status: 3\n"));
    assertTrue(
        Files.readString(run.resolve("tags/llep.attempt.1.ended")).startsWith("FAILED"),
        "the killed attempt is recorded as failed");
    TreeMap<Long, Double> expected = MlflowRuns.losses(straight);
    TreeMap<Long, Double> actual = MlflowRuns.metric(run, "loss");
    assertEquals(expected.keySet(), actual.keySet(), "one loss per step, 1 to 16");
    for (long step = 11; step <= 16; step++) {
      assertEquals(
          expected.get(step),
          actual.get(step),
          1e-5 * Math.abs(expected.get(step)),
          "step " + step);
    }
  }

  private static String[] concat(String... args) {
    return Stream.concat(Stream.of(args), Stream.of(SHORT)).toArray(String[]::new);
  }

  private static String[] with(String[] head, String... tail) {
    return concat(Stream.concat(Stream.of(head), Stream.of(tail)).toArray(String[]::new));
  }
}
