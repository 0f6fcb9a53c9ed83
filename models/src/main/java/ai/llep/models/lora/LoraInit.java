package ai.llep.models.lora;

import java.util.Locale;

/** How a new adapter starts, as PEFT's {@code init_lora_weights}; B always starts at zero. */
public enum LoraInit {
  /**
   * PEFT's default ({@code init_lora_weights=True}): A as torch initialises a Linear's weight,
   * Kaiming-uniform with a = sqrt(5), i.e. uniform in [-1 / sqrt(in), 1 / sqrt(in)].
   */
  KAIMING("kaiming"),
  /** PEFT's {@code "gaussian"}: A normal with standard deviation 1 / r. */
  GAUSSIAN("gaussian");

  private final String label;

  LoraInit(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }

  /** {@code init_lora_weights} in an adapter_config.json: true or "gaussian". */
  Object peftValue() {
    return this == KAIMING ? Boolean.TRUE : label;
  }

  /**
   * @param key the config key that gave it, for the error
   */
  public static LoraInit parse(String key, String text) {
    String wanted = text.strip().toLowerCase(Locale.ROOT);
    for (LoraInit init : values()) {
      if (init.label.equals(wanted)) {
        return init;
      }
    }
    throw new IllegalArgumentException(
        key + "=" + text + " is not one of: kaiming (PEFT's default), gaussian");
  }
}
