package ai.llep.trainer.bench;

import ai.llep.dispatch.DispatchStats;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.util.Locale;

/** The bench report as JSON: settings, the compute floor, and every scenario and mode. */
final class BenchJson {
  private BenchJson() {}

  static String format(BenchReport report) {
    BenchOptions o = report.options();
    JsonObject root = new JsonObject();
    JsonObject layer = new JsonObject();
    layer.addProperty("name", report.shape().name());
    layer.addProperty("experts", report.shape().experts());
    layer.addProperty("hidden", report.shape().hidden());
    layer.addProperty("ffn", report.shape().ffn());
    layer.addProperty("topK", report.shape().topK());
    layer.addProperty("expertFunction", report.shape().function().label());
    layer.addProperty("scale", o.scale());
    layer.addProperty("publishedHidden", o.layer().hidden());
    layer.addProperty("publishedFfn", o.layer().ffn());
    root.add("layer", layer);
    root.addProperty("ranks", report.ranks());
    root.addProperty("device", report.device());
    root.addProperty("communicator", report.communicator());
    root.addProperty("tokensPerRank", o.tokensPerRank());
    root.addProperty("pass", o.pass().label());
    root.addProperty("dtype", o.dataType().name().toLowerCase(Locale.ROOT));
    root.addProperty("gemm", o.gemm().name().toLowerCase(Locale.ROOT));
    root.addProperty("warmup", o.warmup());
    root.addProperty("runs", o.runs());
    root.addProperty("batchRows", o.batchRows());
    JsonObject planner = new JsonObject();
    planner.addProperty("lambda", o.planner().lambda());
    planner.addProperty("alpha", o.planner().alpha());
    planner.addProperty("minTokensPerGemm", o.planner().minTokensPerGemm());
    planner.addProperty("variant", o.planner().variant().name().toLowerCase(Locale.ROOT));
    root.add("planner", planner);
    root.addProperty("seed", o.seed());
    root.addProperty("tolerance", o.tolerance());
    root.addProperty("floorMs", report.floorMs());
    root.add("floorRunsMs", doubles(report.floorRunsMs()));
    root.addProperty("reachDefinition", ScenarioResult.REACH_DEFINITION);
    root.addProperty("worstError", report.worstError());
    root.addProperty("passed", report.passed());
    JsonArray scenarios = new JsonArray();
    for (ScenarioResult scenario : report.scenarios()) {
      JsonObject s = new JsonObject();
      s.addProperty("scenario", scenario.scenario());
      s.addProperty("ceiling", scenario.ceiling());
      JsonArray modes = new JsonArray();
      scenario.modes().forEach(m -> modes.add(mode(m)));
      s.add("modes", modes);
      scenarios.add(s);
    }
    root.add("scenarios", scenarios);
    return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root) + "\n";
  }

  private static JsonObject mode(ModeResult m) {
    JsonObject mode = new JsonObject();
    mode.addProperty("mode", BenchRunner.label(m.mode()));
    mode.addProperty("medianMs", m.medianMs());
    mode.add("runsMs", doubles(m.runsMs()));
    mode.addProperty("floorMultiple", m.floorMultiple());
    mode.add("speedup", orNull(m.speedup()));
    mode.add("reach", orNull(m.reach()));
    mode.add(
        "peakBytes", m.peakBytes() == null ? JsonNull.INSTANCE : new JsonPrimitive(m.peakBytes()));
    mode.add("outputMaxRelError", orNull(m.outputError()));
    mode.add("gradientMaxRelError", orNull(m.gradientError()));
    DispatchStats stats = m.stats();
    mode.add("loadsBefore", longs(stats.loadsBefore()));
    mode.add("loadsAfter", longs(stats.loadsAfter()));
    mode.addProperty("imbalanceAfter", stats.imbalanceAfter());
    mode.addProperty("spilledSlots", stats.spilledSlots());
    mode.addProperty("transfers", stats.transfers());
    mode.addProperty("weightBytesMoved", stats.weightBytesMoved());
    return mode;
  }

  private static com.google.gson.JsonElement orNull(Double value) {
    return value == null ? JsonNull.INSTANCE : new JsonPrimitive(value);
  }

  private static JsonArray doubles(double[] values) {
    JsonArray array = new JsonArray();
    for (double v : values) {
      array.add(v);
    }
    return array;
  }

  private static JsonArray longs(long[] values) {
    JsonArray array = new JsonArray();
    for (long v : values) {
      array.add(v);
    }
    return array;
  }
}
