package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.trainer.tracking.FakeMlflowServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The train command against an MLflow server (an in-test server that records the REST calls): the
 * run is created, params and metrics logged and the status set; and when the server goes away
 * mid-run, training still finishes.
 */
class TrainTrackingIT {
  private static final String RECIPE =
      Launch.projectRoot().resolve("recipes/tiny-moe-sft.conf").toString();

  @TempDir Path dir;

  private String[] train(FakeMlflowServer server, int steps) {
    return new String[] {
      "train",
      RECIPE,
      "tracking.uri=\"" + server.uri() + "\"",
      "train.max-steps=" + steps,
      "checkpoint.every=0",
      "data.max-length=48",
      "data.batch-size=4",
      "train.export-dir=\"\"",
      "tracking.run-name=contract"
    };
  }

  @Test
  void aRunIsCreatedLoggedAndFinished() throws Exception {
    try (FakeMlflowServer server = FakeMlflowServer.start()) {
      Launch.Outcome outcome = Launch.run(dir, 2, Duration.ofMinutes(4), train(server, 6));
      assertEquals(0, outcome.exitCode(), outcome.output());
      assertFalse(server.callsTo(FakeMlflowServer.API + "runs/create").isEmpty(), "no run created");
      assertTrue(
          server.pairs("params").stream().anyMatch(p -> p.matches("optim\\.lr=(2e-3|0\\.002)")),
          "params: " + server.pairs("params"));
      assertEquals(
          6,
          server.metrics().stream().filter(m -> m.key().equals("loss")).count(),
          "one loss per step");
      assertTrue(
          server.callsTo(FakeMlflowServer.API + "runs/update").stream()
              .anyMatch(c -> c.json().toString().contains("FINISHED")),
          "status never set to FINISHED");
      assertTrue(
          server.pairs("params").stream().noneMatch(p -> p.matches("(bench|verify|debug)\\..*")),
          "params of other commands: " + server.pairs("params"));
      assertTrue(
          server.metrics().stream().noneMatch(m -> m.key().contains("expert0")),
          "one metric key per expert");
      assertTrue(
          server
              .artifacts()
              .containsAll(
                  List.of(
                      "config.conf",
                      "moe/expert_loads/steps-00000001-00000006.jsonl",
                      "report/loss.png",
                      "report/expert_load_layer0.png")),
          "artifacts: " + server.artifacts());
    }
  }

  @Test
  void trainingFinishesWhenTheServerGoesAwayMidRun() throws Exception {
    try (FakeMlflowServer server = FakeMlflowServer.start()) {
      CompletableFuture<Boolean> stopper =
          CompletableFuture.supplyAsync(
              () -> {
                boolean sawMetrics =
                    FakeMlflowServer.waitUntil(
                        () -> server.metrics().stream().anyMatch(m -> m.key().equals("loss")),
                        Duration.ofMinutes(3));
                server.stop();
                return sawMetrics;
              });
      Launch.Outcome outcome = Launch.run(dir, 2, Duration.ofMinutes(4), train(server, 20));
      assertTrue(stopper.get(), "the server never got a metric before it was stopped");
      assertEquals(0, outcome.exitCode(), outcome.output());
      assertTrue(outcome.output().contains("step 20/20"), outcome.output());
    }
  }
}
