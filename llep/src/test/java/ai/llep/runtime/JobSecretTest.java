package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobSecretTest {
  private static final WorldInfo FOUR = new WorldInfo(1, 1, 4, 4, "127.0.0.1", 29500);

  @Test
  void parsesTheLaunchersHex() {
    String hex = JobSecret.generateHex();
    assertEquals(64, hex.length());
    byte[] secret = JobSecret.fromEnvironment(Map.of("LLEP_JOB_SECRET", hex), FOUR);
    assertArrayEquals(HexFormat.of().parseHex(hex), secret);
  }

  @Test
  void aLargerWorldNeedsTheSecret() {
    var e =
        assertThrows(
            IllegalArgumentException.class, () -> JobSecret.fromEnvironment(Map.of(), FOUR));
    assertEquals(
        "LLEP_JOB_SECRET is not set, but the world size is 4: the launcher (scripts/launch.sh)"
            + " sets it to 64 random hex characters shared by all ranks of the job",
        e.getMessage());
  }

  @Test
  void oneProcessGetsARandomSecret() {
    byte[] secret = JobSecret.fromEnvironment(Map.of(), WorldInfo.single());
    assertEquals(32, secret.length);
  }

  @Test
  void malformedSecretsAreRejectedWithoutEchoingThem() {
    var e = assertThrows(IllegalArgumentException.class, () -> JobSecret.parse("abc123"));
    assertEquals(
        "LLEP_JOB_SECRET must be 64 hex characters (32 bytes), got 6 characters", e.getMessage());
    String notHex = "zz" + JobSecret.generateHex().substring(2);
    e = assertThrows(IllegalArgumentException.class, () -> JobSecret.parse(notHex));
    assertTrue(e.getMessage().startsWith("LLEP_JOB_SECRET must hold only hex"), e.getMessage());
    assertTrue(!e.getMessage().contains(notHex.substring(2)));
  }
}
