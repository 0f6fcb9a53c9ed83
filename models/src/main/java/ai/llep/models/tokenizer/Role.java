package ai.llep.models.tokenizer;

import java.util.Locale;

/** Who speaks a chat message. */
public enum Role {
  SYSTEM,
  USER,
  ASSISTANT;

  /**
   * The name chat templates and data files use: {@code system}, {@code user}, {@code assistant}.
   */
  public String text() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a role as data files spell it. */
  public static Role parse(String text) {
    for (Role role : values()) {
      if (role.text().equals(text)) {
        return role;
      }
    }
    throw new IllegalArgumentException(
        "unknown role '" + text + "': expected system, user or assistant");
  }
}
