package ai.llep.runtime;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The per-job secret that authenticates every connection of a job (rendezvous store and
 * rank-to-rank links). The launcher draws 32 random bytes and passes them, hex-encoded, in {@value
 * #ENV_VAR}; the secret itself never crosses the network.
 */
public final class JobSecret {
  /** The environment variable the launcher sets. */
  public static final String ENV_VAR = "LLEP_JOB_SECRET";

  /** Length of a secret in bytes. */
  public static final int BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Longest repeated pattern refused, in hex digits. */
  private static final int MAX_PATTERN = 16;

  /** A random secret uses about 15.6 of the 16 digits; fewer than 10 has odds near 1e-12. */
  private static final int MIN_DISTINCT_DIGITS = 10;

  private JobSecret() {}

  /**
   * The secret for this process. A single-process world without {@value #ENV_VAR} gets a fresh
   * random secret (nobody else needs to know it); a larger world without it is an error.
   */
  public static byte[] fromEnvironment(Map<String, String> env, WorldInfo world) {
    String hex = env.get(ENV_VAR);
    if (hex == null || hex.isBlank()) {
      if (world.worldSize() == 1) {
        return random();
      }
      throw new IllegalArgumentException(
          ENV_VAR
              + " is not set, but the world size is "
              + world.worldSize()
              + ": the launcher (scripts/launch.sh) sets it to "
              + (2 * BYTES)
              + " random hex characters shared by all ranks of the job");
    }
    return parse(hex);
  }

  /**
   * Decodes a hex secret and refuses an obviously weak one (see {@link #weakness}). The error never
   * echoes the value, since it may be a real secret with a typo.
   */
  public static byte[] parse(String hex) {
    String trimmed = hex.strip();
    if (trimmed.length() != 2 * BYTES) {
      throw new IllegalArgumentException(
          ENV_VAR
              + " must be "
              + (2 * BYTES)
              + " hex characters ("
              + BYTES
              + " bytes), got "
              + trimmed.length()
              + " characters");
    }
    byte[] secret;
    try {
      secret = HexFormat.of().parseHex(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV_VAR + " must hold only hex characters [0-9a-fA-F]", e);
    }
    String weakness = weakness(trimmed.toLowerCase(Locale.ROOT), secret);
    if (weakness != null) {
      throw new IllegalArgumentException(
          ENV_VAR
              + " is too weak: it "
              + weakness
              + ". Use "
              + BYTES
              + " random bytes, the same on every node, e.g. export "
              + ENV_VAR
              + "=$(openssl rand -hex "
              + BYTES
              + ")");
    }
    return secret;
  }

  /**
   * Why a secret is obviously not random, or null. Each rule matches a random secret with a
   * probability below 1e-9: one digit repeated (all zeros), a pattern of up to 16 digits repeated
   * ({@code deadbeef...}, {@code 0123456789abcdef...}), bytes counting up or down ({@code
   * 000102...}), few distinct digits, or text (a passphrase hex-encoded).
   */
  static String weakness(String hex, byte[] secret) {
    for (int period = 1; period <= MAX_PATTERN; period++) {
      if (repeats(hex, period)) {
        return period == 1
            ? "is one hex digit repeated"
            : "repeats a pattern of " + period + " hex digits";
      }
    }
    int step = (secret[1] - secret[0]) & 0xff;
    boolean counting = true;
    for (int i = 2; i < secret.length && counting; i++) {
      counting = ((secret[i] - secret[i - 1]) & 0xff) == step;
    }
    if (counting) {
      return "counts byte by byte with a step of " + (byte) step;
    }
    long digits = hex.chars().distinct().count();
    if (digits < MIN_DISTINCT_DIGITS) {
      return "uses only " + digits + " of the 16 hex digits";
    }
    boolean text = true;
    for (byte b : secret) {
      text &= b >= 0x20 && b < 0x7f;
    }
    return text ? "is hex-encoded text (not random bytes)" : null;
  }

  private static boolean repeats(String hex, int period) {
    for (int i = period; i < hex.length(); i++) {
      if (hex.charAt(i) != hex.charAt(i - period)) {
        return false;
      }
    }
    return true;
  }

  /** A fresh random secret, hex-encoded as a launcher would put it in {@value #ENV_VAR}. */
  public static String generateHex() {
    return HexFormat.of().formatHex(random());
  }

  private static byte[] random() {
    byte[] secret = new byte[BYTES];
    RANDOM.nextBytes(secret);
    return secret;
  }
}
