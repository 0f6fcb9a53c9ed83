package ai.llep.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.dispatch.ExpertGemm;
import ai.llep.models.experts.ExpertKind;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.routing.RoutingScenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole benchmark on two CPU ranks in this JVM, with a tiny layer. */
class BenchRunnerTest {
  private static BenchOptions options(BenchPass pass, DataType type, Path output) {
    return options(
        new LayerShape("custom", 4, 32, 48, 2), pass, type, ExpertGemm.AUTO, 1e-2, output);
  }

  private static BenchOptions options(
      LayerShape layer,
      BenchPass pass,
      DataType type,
      ExpertGemm gemm,
      double tolerance,
      Path output) {
    return new BenchOptions(
        layer,
        2.0,
        48,
        List.of(new RoutingScenario.Balanced(), RoutingScenario.parse("95:1")),
        List.of(DispatchMode.LLEP, DispatchMode.EP),
        pass,
        type,
        1,
        2,
        output,
        true,
        16,
        gemm,
        new PlannerOptions(1.0, 4, 1.0, PlannerOptions.Variant.DEFAULT),
        tolerance,
        7);
  }

  private static List<LocalWorld.Outcome<BenchReport>> run(BenchOptions options, PrintStream out)
      throws Exception {
    TcpOptions tcp = new TcpOptions(Duration.ofSeconds(60), Duration.ofSeconds(20), "");
    try (LocalWorld world = LocalWorld.start(2, tcp)) {
      return world.run(
          (rank, comm, manager) ->
              new BenchRunner(
                      comm,
                      options,
                      rank == 0 ? out : new PrintStream(PrintStream.nullOutputStream()))
                  .run(manager));
    }
  }

  @Test
  void forwardBackwardAgreesWithEpAndSpillsUnderSkew(@TempDir Path output) throws Exception {
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    List<LocalWorld.Outcome<BenchReport>> outcomes =
        run(
            options(BenchPass.FORWARD_BACKWARD, DataType.FLOAT32, output),
            new PrintStream(printed, true, StandardCharsets.UTF_8));
    for (LocalWorld.Outcome<BenchReport> outcome : outcomes) {
      assertNull(outcome.error(), () -> "a rank failed: " + outcome.error());
    }
    BenchReport report = outcomes.getFirst().value();
    assertEquals(new LayerShape("custom", 4, 16, 24, 2), report.shape());
    assertTrue(report.passed(), "worst error " + report.worstError());
    assertTrue(report.worstError() < 1e-5, "worst error " + report.worstError());
    ScenarioResult skewed = report.scenarios().get(1);
    assertEquals("95:1", skewed.scenario());
    assertTrue(skewed.ceiling() > 1.5, "ceiling " + skewed.ceiling());
    ModeResult llep = skewed.modes().get(0);
    ModeResult ep = skewed.modes().get(1);
    assertEquals(DispatchMode.LLEP, llep.mode());
    assertTrue(llep.stats().spilledSlots() > 0);
    assertEquals(0, ep.stats().spilledSlots());
    assertEquals(1.0, ep.speedup());
    assertNotNull(llep.speedup());
    assertNotNull(llep.gradientError());
    assertNull(llep.peakBytes());
    assertEquals(2, llep.runsMs().length);
    BenchReport other = outcomes.get(1).value();
    assertEquals(llep.medianMs(), other.scenarios().get(1).modes().get(0).medianMs());
    assertEquals(report.worstError(), other.worstError());
    String text = printed.toString(StandardCharsets.UTF_8);
    assertTrue(text.contains("compute floor"), text);
    assertTrue(text.contains("reach = (t_EP / t_mode - 1) / (ceiling - 1)"), text);
    assertTrue(Files.size(output.resolve("bench.json")) > 0);
    String trace = Files.readString(output.resolve("traces").resolve("95-1-llep-rank0.txt"));
    List<String> phases = trace.lines().skip(1).map(line -> line.split(" +")[0]).toList();
    assertEquals(
        List.of(
            "count",
            "plan",
            "dispatch",
            "weights",
            "experts",
            "combine",
            "unpermute",
            "done",
            "bwd-output",
            "bwd-combine",
            "bwd-experts",
            "bwd-weights",
            "bwd-dispatch",
            "bwd-input"),
        phases,
        trace);
    byte[] png = Files.readAllBytes(output.resolve("bench.png"));
    assertEquals((byte) 0x89, png[0]);
    assertEquals('P', png[1]);
  }

  /**
   * bfloat16 forward and backward of gpt-oss experts, grouped (one GEMM per expert's rows on the
   * CPU) and batched: LLEP spills and agrees with EP within bfloat16 rounding, and the floor runs.
   */
  @Test
  void bfloat16GptOssExpertsRunGroupedAndBatched(@TempDir Path output) throws Exception {
    LayerShape layer = new LayerShape("custom", 4, 32, 48, 2, ExpertKind.GPT_OSS);
    for (ExpertGemm gemm : List.of(ExpertGemm.GROUPED, ExpertGemm.BATCHED)) {
      List<LocalWorld.Outcome<BenchReport>> outcomes =
          run(
              options(layer, BenchPass.FORWARD_BACKWARD, DataType.BFLOAT16, gemm, 3e-2, output),
              new PrintStream(PrintStream.nullOutputStream()));
      for (LocalWorld.Outcome<BenchReport> outcome : outcomes) {
        assertNull(outcome.error(), () -> gemm + ": a rank failed: " + outcome.error());
      }
      BenchReport report = outcomes.getFirst().value();
      assertTrue(report.passed(), gemm + ": worst error " + report.worstError());
      assertTrue(report.floorMs() > 0);
      ModeResult llep = report.scenarios().get(1).modes().get(0);
      assertTrue(llep.stats().spilledSlots() > 0, gemm.toString());
      assertNotNull(llep.gradientError());
      if (gemm == ExpertGemm.GROUPED) {
        assertTrue(llep.stats().groupedExperts() > 0);
      }
    }
  }

  @Test
  void forwardInHalfPrecisionRuns(@TempDir Path output) throws Exception {
    List<LocalWorld.Outcome<BenchReport>> outcomes =
        run(
            options(BenchPass.FORWARD, DataType.FLOAT16, output),
            new PrintStream(PrintStream.nullOutputStream()));
    for (LocalWorld.Outcome<BenchReport> outcome : outcomes) {
      assertNull(outcome.error(), () -> "a rank failed: " + outcome.error());
    }
    BenchReport report = outcomes.getFirst().value();
    assertTrue(report.passed(), "worst error " + report.worstError());
    assertNull(report.scenarios().get(1).modes().get(0).gradientError());
    Path trace = output.resolve("traces").resolve("95-1-llep-rank1.txt");
    String text = Files.readString(trace);
    for (String phase : List.of("count", "plan", "weights", "dispatch", "experts", "combine")) {
      assertTrue(text.contains("\n" + phase + " "), text);
    }
  }
}
