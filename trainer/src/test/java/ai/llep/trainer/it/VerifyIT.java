package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * verify through the launcher: EP and LLEP against the dense reference for every routing of the
 * acceptance list, top-k 1, 2 and 4, uneven tokens with an empty rank; SwiGLU experts (with biases
 * on 1 rank, without on 4) and gpt-oss's clamped experts (2 and 3 ranks, with LLEP spilling).
 */
class VerifyIT {
  private static final Pattern LLEP_95_1 =
      Pattern.compile(
          "imbalance=95:1 top-k=2 mode=llep \\| .* spilled slots (\\d+), transfers (\\d+)");

  static Stream<Arguments> worlds() {
    return Stream.of(
        Arguments.of(1, 8, "[64]", "swiglu"),
        Arguments.of(2, 8, "[0,50]", "gpt-oss"),
        Arguments.of(3, 12, "[40,0,72]", "gpt-oss"),
        Arguments.of(4, 8, "[64,0,17,90]", "swiglu"));
  }

  @ParameterizedTest(name = "{0} ranks, {1} experts, tokens {2}, {3}")
  @MethodSource("worlds")
  void epAndLlepMatchTheDenseReference(int ranks, int experts, String tokens, String function) {
    Launch.Outcome outcome =
        Launch.run(
            ranks,
            Duration.ofMinutes(4),
            "verify",
            "llep=cpu-test",
            "verify.experts=" + experts,
            "verify.tokens-per-rank=" + tokens,
            "verify.imbalance=[balanced,\"30:4\",\"80:1\",\"95:1\",\"zipf:1.2\",\"single:3\"]",
            "verify.top-k=[1,2,4]",
            "verify.modes=[ep,llep]",
            "verify.expert-function=" + function,
            "verify.bias=" + (ranks % 2 == 1),
            "seed=" + (100 + ranks));
    assertEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().contains("expert function " + function + ":"), outcome.output());
    String lastTensor = function.equals("gpt-oss") ? "down-bias-grad" : "down-grad";
    assertEquals(
        36,
        outcome.output().lines().filter(l -> l.matches(".*\\s" + lastTensor + "\\s.*")).count(),
        outcome.output());
    assertTrue(
        outcome.output().lines().anyMatch(l -> l.matches(".*verify PASS max_rel_err=\\S+")),
        outcome.output());
    assertEquals(
        36,
        outcome.output().lines().filter(l -> l.contains("| loads ep max")).count(),
        outcome.output());
    if (ranks > 1) {
      Matcher m = LLEP_95_1.matcher(outcome.output());
      assertTrue(m.find(), outcome.output());
      assertTrue(
          Long.parseLong(m.group(1)) > 0, "LLEP spilled nothing at 95:1:\n" + outcome.output());
      assertTrue(
          Long.parseLong(m.group(2)) > 0, "LLEP moved no weights at 95:1:\n" + outcome.output());
    }
  }
}
