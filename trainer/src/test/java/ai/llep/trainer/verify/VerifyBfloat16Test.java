package ai.llep.trainer.verify;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.routing.RoutingScenario;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code verify.dtype=bfloat16}: EP and LLEP in bfloat16 over TCP ranks (one of them without
 * tokens) against the float64 reference of the same bfloat16 inputs and weights, within the bound
 * {@link VerifyOptions#defaultTolerance} gives bfloat16, and above float32's error, so bfloat16
 * really ran.
 */
class VerifyBfloat16Test {
  static Stream<Arguments> worlds() {
    return Stream.of(
        Arguments.of(1, List.of(48), List.of(1, 4), true),
        Arguments.of(2, List.of(0, 50), List.of(2), false),
        Arguments.of(3, List.of(40, 0, 33), List.of(1, 2, 4), true));
  }

  @ParameterizedTest(name = "{0} ranks, tokens {1}")
  @MethodSource("worlds")
  void bfloat16LayerMatchesTheReference(
      int ranks, List<Integer> tokens, List<Integer> topKs, boolean bias) throws Exception {
    VerifyOptions options =
        new VerifyOptions(
            12,
            topKs,
            tokens,
            32,
            48,
            List.of(
                RoutingScenario.parse("balanced"),
                RoutingScenario.parse("95:1"),
                RoutingScenario.parse("zipf:1.2")),
            DataType.BFLOAT16,
            bias,
            true,
            List.of(DispatchMode.EP, DispatchMode.LLEP),
            VerifyOptions.defaultTolerance(DataType.BFLOAT16),
            new PlannerOptions(1.0, 1, 1.0, PlannerOptions.Variant.DEFAULT),
            7 + ranks);
    ByteArrayOutputStream text = new ByteArrayOutputStream();
    double[] worst = new double[1];
    try (LocalWorld world =
            LocalWorld.start(
                ranks, new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(20), ""));
        PrintStream out = new PrintStream(text, true, StandardCharsets.UTF_8)) {
      for (LocalWorld.Outcome<Double> outcome :
          world.run(
              (rank, comm, manager) ->
                  new VerifyRunner(comm, options, rank == 0 ? out : silent()).run(manager))) {
        assertNull(outcome.error(), () -> "a rank failed: " + outcome.error());
        worst[0] = outcome.value();
      }
    }
    String report = text.toString(StandardCharsets.UTF_8);
    assertTrue(worst[0] <= options.tolerance(), report);
    assertTrue(worst[0] > 1e-4, "an error of float32's size: did bfloat16 run?\n" + report);
    if (ranks > 1) {
      assertTrue(
          report.lines().anyMatch(l -> l.contains("mode=llep") && !l.contains("spilled slots 0")),
          "LLEP spilled nothing:\n" + report);
    }
  }

  private static PrintStream silent() {
    return new PrintStream(java.io.OutputStream.nullOutputStream());
  }
}
