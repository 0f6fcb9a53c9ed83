package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

  @ParameterizedTest(name = "{1}")
  @CsvSource({
    "0000000000000000000000000000000000000000000000000000000000000000, is one hex digit repeated",
    "7777777777777777777777777777777777777777777777777777777777777777, is one hex digit repeated",
    "deadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeefdeadbeef,"
        + " repeats a pattern of 8 hex digits",
    "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef,"
        + " repeats a pattern of 16 hex digits",
    "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1,"
        + " repeats a pattern of 2 hex digits",
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f,"
        + " counts byte by byte with a step of 1",
    "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0efeeedecebeae9e8e7e6e5e4e3e2e1e0,"
        + " counts byte by byte with a step of -1",
    "0000000000000000000000000000000000000000000000000000000000000001,"
        + " uses only 2 of the 16 hex digits",
    "1234123412341234123412341234123412341234123412341234123412341235,"
        + " uses only 5 of the 16 hex digits",
    "636f7272656374686f727365626174746572797374617069652d6a6f62212121,"
        + " is hex-encoded text (not random bytes)"
  })
  void obviouslyWeakSecretsAreRefusedWithAWayToMakeAGoodOne(String hex, String weakness) {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> JobSecret.fromEnvironment(Map.of("LLEP_JOB_SECRET", hex), FOUR));
    assertEquals(
        "LLEP_JOB_SECRET is too weak: it "
            + weakness
            + ". Use 32 random bytes, the same on every node, e.g. export"
            + " LLEP_JOB_SECRET=$(openssl rand -hex 32)",
        e.getMessage());
  }

  @Test
  void randomSecretsAreNeverRefused() {
    for (int i = 0; i < 20_000; i++) {
      String hex = JobSecret.generateHex();
      assertEquals(32, JobSecret.parse(hex).length, hex);
    }
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
