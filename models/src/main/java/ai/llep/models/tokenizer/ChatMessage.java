package ai.llep.models.tokenizer;

import java.util.Objects;

/** One turn of a conversation. */
public record ChatMessage(Role role, String content) {
  public ChatMessage {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(content, "content");
  }

  /** A message whose role is spelled as in data files ({@code "user"}, ...). */
  public static ChatMessage of(String role, String content) {
    return new ChatMessage(Role.parse(role), content);
  }

  public static ChatMessage system(String content) {
    return new ChatMessage(Role.SYSTEM, content);
  }

  public static ChatMessage user(String content) {
    return new ChatMessage(Role.USER, content);
  }

  public static ChatMessage assistant(String content) {
    return new ChatMessage(Role.ASSISTANT, content);
  }
}
