package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bench through the launcher on two CPU ranks: the gpt-oss-20b layer (its gpt-oss experts) scaled
 * to D = F = 16, bfloat16 forward and backward (float32 runs in BenchRunnerTest).
 */
class BenchIT {
  @Test
  void twoRanksPrintTheTableAndWriteJsonAndPng(@TempDir Path output) throws IOException {
    Launch.Outcome outcome =
        Launch.run(
            2,
            Duration.ofMinutes(2),
            "bench",
            "llep=cpu-test",
            "bench.layer=gpt-oss-20b",
            "bench.scale=180",
            "bench.tokens-per-rank=64",
            "bench.scenarios=balanced,95:1,zipf:1.2",
            "bench.modes=ep,llep",
            "bench.pass=forward-backward",
            "bench.dtype=bfloat16",
            "bench.tolerance=3e-2",
            "bench.warmup=1",
            "bench.runs=2",
            "bench.output=" + output);
    assertEquals(0, outcome.exitCode(), outcome.output());
    String out = outcome.output();
    assertTrue(
        outcome.output().lines().anyMatch(l -> l.matches(".*bench PASS max_rel_err=\\S+")), out);
    assertTrue(
        out.contains(
            "bench gpt-oss-20b (N=32, D=16, F=16, K=4, gpt-oss experts), scale 180 (D and F"
                + " divided by it), 2 ranks"),
        out);
    assertTrue(out.contains("forward-backward, bfloat16, gemm auto"), out);
    assertTrue(out.contains("compute floor"), out);
    assertTrue(out.contains("reach = (t_EP / t_mode - 1) / (ceiling - 1)"), out);
    assertEquals(
        6,
        out.lines().filter(l -> l.matches("\\[rank 0\\] (balanced|95:1|zipf:1.2) .*")).count(),
        out);

    JsonObject json =
        JsonParser.parseString(Files.readString(output.resolve("bench.json"))).getAsJsonObject();
    assertEquals(2, json.get("ranks").getAsInt());
    assertEquals(180.0, json.getAsJsonObject("layer").get("scale").getAsDouble());
    assertEquals("gpt-oss", json.getAsJsonObject("layer").get("expertFunction").getAsString());
    assertEquals("bfloat16", json.get("dtype").getAsString());
    assertTrue(json.get("floorMs").getAsDouble() > 0);
    assertTrue(json.get("passed").getAsBoolean());
    assertEquals(3, json.getAsJsonArray("scenarios").size());
    JsonObject skewed = json.getAsJsonArray("scenarios").get(1).getAsJsonObject();
    assertEquals("95:1", skewed.get("scenario").getAsString());
    assertTrue(skewed.get("ceiling").getAsDouble() > 1.5);
    JsonObject llep = skewed.getAsJsonArray("modes").get(1).getAsJsonObject();
    assertEquals("llep", llep.get("mode").getAsString());
    for (String field :
        new String[] {
          "medianMs",
          "runsMs",
          "floorMultiple",
          "speedup",
          "reach",
          "peakBytes",
          "outputMaxRelError",
          "gradientMaxRelError",
          "loadsBefore",
          "loadsAfter",
          "spilledSlots",
          "transfers"
        }) {
      assertTrue(llep.has(field), "no " + field + " in " + llep);
    }
    assertTrue(llep.get("peakBytes").isJsonNull());
    assertTrue(llep.get("spilledSlots").getAsLong() > 0);
    byte[] png = Files.readAllBytes(output.resolve("bench.png"));
    assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
  }

  @Test
  void ncclThatCannotRunSaysWhatIsMissing() {
    Launch.Outcome outcome =
        Launch.run(
            1,
            Duration.ofMinutes(1),
            "bench",
            "comm=nccl",
            "bench.layer=custom",
            "comm.nccl-library=libnccl-absent.so.2");
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().contains("comm.backend=nccl, but rank 0 lacks"), outcome.output());
  }
}
