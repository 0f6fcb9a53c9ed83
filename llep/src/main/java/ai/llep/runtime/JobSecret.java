package ai.llep.runtime;

import java.security.SecureRandom;
import java.util.HexFormat;
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
   * Decodes a hex secret. The error never echoes the value, since it may be a real secret with a
   * typo.
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
    try {
      return HexFormat.of().parseHex(trimmed);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(ENV_VAR + " must hold only hex characters [0-9a-fA-F]", e);
    }
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
