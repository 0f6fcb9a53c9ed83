package ai.llep.trainer.config;

/**
 * A configuration that cannot be loaded: an unknown key or group option, a value of the wrong type,
 * a malformed command-line argument, or a file that does not parse. The message says what is wrong,
 * where it came from (file:line or "command line") and, where it can, what was meant.
 */
public class ConfigError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigError(String message) {
    super(message);
  }

  public ConfigError(String message, Throwable cause) {
    super(message, cause);
  }
}
