package ai.llep.trainer.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import ai.llep.dispatch.DispatchStats;
import ai.llep.dispatch.ExpertGemm;
import ai.llep.models.experts.ExpertKind;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.PlannerOptions;
import ai.llep.trainer.routing.RoutingScenario;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Presets, scaling, the metrics' formulas, option checks, and the table and JSON layouts. */
class BenchPiecesTest {
  @Test
  void presetsAreThePapersLayers() {
    assertEquals(
        new LayerShape("gpt-oss-120b", 128, 2880, 2880, 4, ExpertKind.GPT_OSS),
        LayerShape.preset("gpt-oss-120b"));
    assertEquals(
        new LayerShape("gpt-oss-20b", 32, 2880, 2880, 4, ExpertKind.GPT_OSS),
        LayerShape.preset("gpt-oss-20b"));
    assertEquals(
        new LayerShape("deepseek-v3", 256, 7168, 2048, 8), LayerShape.preset("DeepSeek-V3"));
    assertEquals(new LayerShape("kimi-k2", 384, 7168, 2048, 8), LayerShape.preset("kimi-k2"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> LayerShape.preset("mixtral"));
    assertEquals(
        "unknown layer 'mixtral': use gpt-oss-120b, gpt-oss-20b, deepseek-v3, kimi-k2 or custom",
        e.getMessage());
  }

  @Test
  void scalingDividesHiddenAndFfnOnly() {
    assertEquals(
        new LayerShape("deepseek-v3", 256, 1792, 512, 8),
        LayerShape.preset("deepseek-v3").scaled(4));
    assertEquals(new LayerShape("x", 4, 1, 1, 2), new LayerShape("x", 4, 3, 2, 2).scaled(100));
    assertThrows(IllegalArgumentException.class, () -> LayerShape.preset("kimi-k2").scaled(0.5));
  }

  @Test
  void medianReachAndCeiling() {
    assertEquals(2.0, RankTimes.median(new double[] {3, 1, 2}));
    assertEquals(2.5, RankTimes.median(new double[] {4, 1, 2, 3}));
    assertEquals(0.5, ScenarioResult.reach(1.5, 2.0));
    assertNull(ScenarioResult.reach(1.5, 1.005));
    assertNull(ScenarioResult.reach(null, 2.0));
    DispatchStats stats =
        new DispatchStats(
            new long[] {300, 100}, new long[] {200, 200}, 100, 1, 0, 0, 0, new long[4]);
    assertEquals(1.5, stats.imbalanceBefore());
  }

  @Test
  void optionsNameTheBadKey() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> options(DataType.FLOAT64, List.of(DispatchMode.EP)));
    assertEquals("bench.dtype must be float16, float32 or bfloat16, got float64", e.getMessage());
    IllegalArgumentException twice =
        assertThrows(
            IllegalArgumentException.class,
            () -> options(DataType.FLOAT16, List.of(DispatchMode.EP, DispatchMode.EP)));
    assertEquals("bench.modes lists a mode twice: [EP, EP]", twice.getMessage());
  }

  @Test
  void tableAndJsonCarryEveryColumn() {
    BenchReport report = report();
    String table = BenchTable.format(report);
    assertTrue(
        table.startsWith(
            "bench custom (N=4, D=8, F=8, K=2, swiglu experts), scale 1 (D and F as published),"
                + " 2 ranks on gpu(0) (NcclCommunicator), 16 tokens per rank, forward, float16,"
                + " gemm auto, 0 warm-up and 2 timed runs per case\n"),
        table);
    assertTrue(
        table.contains(
            "95:1             2.00  llep       5.000     1.25     2.00    1.00      1.50  1.000e-03"
                + "        n/a        100         1\n"),
        table);
    JsonObject json = JsonParser.parseString(BenchJson.format(report)).getAsJsonObject();
    JsonObject llep =
        json.getAsJsonArray("scenarios")
            .get(0)
            .getAsJsonObject()
            .getAsJsonArray("modes")
            .get(1)
            .getAsJsonObject();
    assertEquals(1610612736L, llep.get("peakBytes").getAsLong());
    assertTrue(llep.get("gradientMaxRelError").isJsonNull());
    assertEquals(2.0, llep.get("speedup").getAsDouble());
    assertEquals(4.0, json.get("floorMs").getAsDouble());
    assertTrue(json.get("passed").getAsBoolean());
  }

  private static BenchOptions options(DataType type, List<DispatchMode> modes) {
    return new BenchOptions(
        new LayerShape("custom", 4, 8, 8, 2),
        1,
        16,
        List.of(RoutingScenario.parse("95:1")),
        modes,
        BenchPass.FORWARD,
        type,
        0,
        2,
        Path.of("out"),
        false,
        1024,
        ExpertGemm.AUTO,
        PlannerOptions.defaults(),
        1e-2,
        1);
  }

  private static BenchReport report() {
    DispatchStats ep =
        new DispatchStats(new long[] {48, 16}, new long[] {48, 16}, 0, 0, 0, 0, 0, new long[4]);
    DispatchStats llep =
        new DispatchStats(new long[] {48, 16}, new long[] {32, 32}, 100, 1, 96, 0, 0, new long[4]);
    long gib = 1L << 30;
    ModeResult epResult =
        new ModeResult(
            DispatchMode.EP, new double[] {10, 10}, 10, 2.5, 1.0, 0.0, gib, 0.0, null, ep);
    ModeResult llepResult =
        new ModeResult(
            DispatchMode.LLEP,
            new double[] {5, 5},
            5,
            1.25,
            2.0,
            1.0,
            gib + gib / 2,
            1e-3,
            null,
            llep);
    return new BenchReport(
        options(DataType.FLOAT16, List.of(DispatchMode.EP, DispatchMode.LLEP)),
        new LayerShape("custom", 4, 8, 8, 2),
        2,
        "gpu(0)",
        "NcclCommunicator",
        new double[] {4, 4},
        4,
        List.of(new ScenarioResult("95:1", 2.0, List.of(epResult, llepResult))));
  }
}
