package ai.llep.models.tokenizer;

import java.util.List;

/** The shape every template accepts: an optional system message, then user/assistant turns. */
final class Conversation {
  private Conversation() {}

  /**
   * Checks {@code messages}: a system message only first, then user and assistant alternating from
   * a user; ending with an assistant message to train on, or with a user message to prompt.
   */
  static void check(List<ChatMessage> messages, boolean training) {
    if (messages.isEmpty()) {
      throw new IllegalArgumentException("a conversation needs at least one message");
    }
    int start = messages.getFirst().role() == Role.SYSTEM ? 1 : 0;
    for (int i = start; i < messages.size(); i++) {
      Role role = messages.get(i).role();
      if (role == Role.SYSTEM) {
        throw new IllegalArgumentException(
            "message " + i + " is a system message; only the first message may be one");
      }
      Role expected = (i - start) % 2 == 0 ? Role.USER : Role.ASSISTANT;
      if (role != expected) {
        throw new IllegalArgumentException(
            "message "
                + i
                + " has role "
                + role.text()
                + ", expected "
                + expected.text()
                + ": after an optional system message, roles alternate user, assistant, user, ...");
      }
    }
    Role last = messages.getLast().role();
    if (training && last != Role.ASSISTANT) {
      throw new IllegalArgumentException(
          "a conversation to train on must end with an assistant message, this one ends with "
              + last.text());
    }
    if (!training && last != Role.USER) {
      throw new IllegalArgumentException(
          "a prompt must end with a user message, this one ends with " + last.text());
    }
  }
}
