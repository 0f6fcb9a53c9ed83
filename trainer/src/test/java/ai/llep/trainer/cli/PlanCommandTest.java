package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.plan.SyntheticRouting;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The plan command as a user runs it, on the paper's 95:1 routing at P = 4. */
class PlanCommandTest {
  private static final Pattern SUMMARY =
      Pattern.compile("plan cap=(\\d+) max_load=(\\d+) ep_max_load=(\\d+) transfers=(\\d+)");

  @Test
  void llepBringsTheMaxLoadWithinAlphaOfTheMeanUnder95To1() {
    long[][] counts = SyntheticRouting.hotColdCounts(4, 16, 4096, 4, 95, 1);
    long[] loads = new long[16];
    for (long[] row : counts) {
      for (int e = 0; e < loads.length; e++) {
        loads[e] += row[e];
      }
    }
    String list = Arrays.stream(loads).mapToObj(Long::toString).collect(Collectors.joining(","));
    Result result =
        run(
            "plan",
            "plan.ranks=4",
            "plan.loads=[" + list + "]",
            "llep.mode=llep",
            "llep.min-tokens-per-gemm=16");
    assertEquals(0, result.exitCode(), result.output());
    String last = result.output().strip().lines().reduce((a, b) -> b).orElseThrow();
    Matcher m = SUMMARY.matcher(last);
    assertTrue(m.matches(), "last line: " + last);
    long cap = Long.parseLong(m.group(1));
    long maxLoad = Long.parseLong(m.group(2));
    long epMaxLoad = Long.parseLong(m.group(3));
    long mean = Arrays.stream(loads).sum() / 4;
    assertEquals(mean, cap, "alpha = 1: capacity is the mean load");
    assertTrue(maxLoad <= cap, result.output());
    assertTrue(epMaxLoad >= 3.5 * maxLoad, "EP max " + epMaxLoad + " vs LLEP max " + maxLoad);
    assertTrue(result.output().contains("expert 0"), result.output());
  }

  @Test
  void epModeKeepsEveryExpertNative() {
    Result result = run("plan", "plan.ranks=2", "plan.loads=[900,40,30,30]", "llep.mode=ep");
    assertEquals(0, result.exitCode(), result.output());
    assertTrue(
        result.output().strip().endsWith("max_load=940 ep_max_load=940 transfers=0"),
        result.output());
  }

  @Test
  void loadsThatTheRanksCannotSplitAreAClearError() {
    Result result = run("plan", "plan.ranks=3", "plan.loads=[1,2,3,4]");
    assertEquals(1, result.exitCode());
    assertTrue(
        result.error().contains("plan.ranks=3 must be >= 1 and divide the number of experts (4)"),
        result.error());
  }

  record Result(int exitCode, String output, String error) {}

  private static Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
      int code = Main.run(List.of(args).toArray(String[]::new));
      return new Result(
          code,
          captured.toString(StandardCharsets.UTF_8),
          capturedErr.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }
}
