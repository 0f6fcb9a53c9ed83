package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.llep.trainer.checkpoint.Checkpoint;
import ai.llep.trainer.checkpoint.CheckpointLayout;
import ai.llep.trainer.tracking.FakeMlflowServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT to the launcher's process group) and SIGTERM to the launcher alone, in the middle
 * of training: every rank stops after the same step, a verified checkpoint of that step is written,
 * the tracked run ends KILLED and the launcher exits 130 or 143; a resumed launch then continues
 * the same run, with the steps in one series.
 */
class StopIT {
  private static final String RECIPE =
      Launch.projectRoot().resolve("recipes/tiny-moe-sft.conf").toString();
  private static final Pattern STOPPED = Pattern.compile("stopped on request after step (\\d+)");
  private static final Duration LIMIT = Duration.ofMinutes(4);

  @TempDir Path dir;

  private static String[] train(long maxSteps, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "train",
                RECIPE,
                "train.max-steps=" + maxSteps,
                "checkpoint.every=0",
                "data.max-length=48",
                "data.batch-size=4",
                "train.log-every=1",
                "train.export-dir=\"\"",
                "comm.timeout=60s"));
    args.addAll(List.of(extra));
    return args.toArray(String[]::new);
  }

  /**
   * Starts a 40-step run and after step 2 sends {@code signal}: to the launcher's whole process
   * group as a terminal's Ctrl-C does ({@code group}), or to the launcher alone as kill does.
   */
  private Launch.Outcome stopMidRun(boolean group, String signal, String... extra)
      throws Exception {
    String[] command = train(40, extra);
    Launch.Running running =
        group ? Launch.startInOwnGroup(dir, 2, command) : Launch.start(dir, 2, command);
    running.awaitLine("step 2/40", LIMIT);
    if (group) {
      running.signalGroup(signal);
    } else {
      running.signal(signal);
    }
    return running.await(LIMIT);
  }

  private long stoppedStep(Launch.Outcome outcome) {
    Matcher m = STOPPED.matcher(outcome.output());
    assertTrue(m.find(), outcome.output());
    long step = Long.parseLong(m.group(1));
    assertTrue(step >= 2 && step < 40, "stopped at " + step);
    Checkpoint checkpoint =
        new CheckpointLayout(dir.resolve("checkpoints/tiny-moe-sft"))
            .latest(CheckpointLayout.Verify.CONTENTS)
            .orElseThrow(() -> new AssertionError("no verified checkpoint:\n" + outcome.output()));
    assertEquals(step, checkpoint.step(), "the checkpoint is of the last completed step");
    return step;
  }

  private static List<Long> steps(long last) {
    return LongStream.rangeClosed(1, last).boxed().toList();
  }

  /**
   * Whether this process ignores SIGINT (as a background job of a non-interactive shell does), a
   * disposition its children inherit: a shell started so cannot trap SIGINT at all (POSIX), so a
   * Ctrl-C test means nothing there. Read from {@code /proc/self/status} (Linux).
   */
  private static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
        return (mask & (1L << (2 - 1))) != 0;
      }
    }
    return false;
  }

  @Test
  void ctrlCSavesTheLastStepEndsTheRunKilledAndResumeContinuesIt() throws Exception {
    assumeFalse(
        sigintIgnored(),
        "SIGINT is ignored in this environment (a background job of a non-interactive shell), so"
            + " no launcher started from here can trap it");
    Launch.Outcome stopped = stopMidRun(true, "INT");
    assertEquals(130, stopped.exitCode(), stopped.output());
    assertTrue(stopped.hasLine("launch: stopped by SIGINT (exit 130)"), stopped.output());
    long step = stoppedStep(stopped);
    assertTrue(
        stopped.output().contains("[rank 0] stopped on request after step " + step),
        "the ranks' output outlives Ctrl-C:\n" + stopped.output());
    List<Path> runs = MlflowRuns.runs(dir.resolve("mlruns"));
    assertEquals(1, runs.size());
    Path run = runs.getFirst();
    assertTrue(meta(run).contains("status: 5\n"), "run not KILLED: " + meta(run));
    assertEquals(steps(step), List.copyOf(MlflowRuns.metric(run, "loss").keySet()));

    Launch.Outcome resumed = Launch.run(dir, 2, LIMIT, train(step + 2, "train.resume=latest"));
    assertEquals(0, resumed.exitCode(), resumed.output());
    assertEquals(List.of(run), MlflowRuns.runs(dir.resolve("mlruns")), "the same run continues");
    assertTrue(meta(run).contains("status: 3\n"), "run not FINISHED: " + meta(run));
    assertEquals(steps(step + 2), List.copyOf(MlflowRuns.metric(run, "loss").keySet()));
    assertEquals("2", Files.readString(run.resolve("tags/llep.attempt")));
    assertEquals("KILLED", Files.readString(run.resolve("tags/llep.attempt.1.ended")));
    assertEquals(
        Long.toString(step),
        Files.readString(run.resolve("tags/llep.attempt.2.resumed_from_step")));
  }

  @Test
  void sigtermEndsAServerRunKilledWithItsPlotsAndResumeContinuesIt() throws Exception {
    try (FakeMlflowServer server = FakeMlflowServer.start()) {
      String uri = "tracking.uri=\"" + server.uri() + "\"";
      Launch.Outcome stopped = stopMidRun(false, "TERM", uri);
      assertEquals(143, stopped.exitCode(), stopped.output());
      long step = stoppedStep(stopped);
      FakeMlflowServer.RunState run = server.runs.get(FakeMlflowServer.FIRST_RUN);
      assertEquals("KILLED", run.status);
      assertTrue(server.artifacts().contains("report/loss.png"), server.artifacts().toString());
      assertTrue(
          server
              .artifacts()
              .contains(String.format("moe/expert_loads/steps-%08d-%08d.jsonl", 1, step)),
          server.artifacts().toString());

      Launch.Outcome resumed =
          Launch.run(dir, 2, LIMIT, train(step + 2, uri, "train.resume=latest"));
      assertEquals(0, resumed.exitCode(), resumed.output());
      assertEquals(1, server.callsTo(FakeMlflowServer.API + "runs/create").size(), "one run");
      assertEquals("FINISHED", run.status);
      TreeMap<Long, Double> losses = new TreeMap<>();
      server.metrics().stream()
          .filter(m -> m.key().equals("loss"))
          .forEach(m -> losses.put(m.step(), m.value()));
      assertEquals(steps(step + 2), List.copyOf(losses.keySet()));
      assertEquals("KILLED", run.tags.get("llep.attempt.1.ended"));
    }
  }

  private static String meta(Path run) throws IOException {
    return Files.readString(run.resolve("meta.yaml"));
  }
}
