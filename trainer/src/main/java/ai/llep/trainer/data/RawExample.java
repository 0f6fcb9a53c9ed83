package ai.llep.trainer.data;

import java.util.List;

/** One training example as read from a JSONL line, with where it came from (for errors). */
public sealed interface RawExample {
  String source();

  /** {@code {"prompt": ..., "completion": ...}}: the loss covers the completion only. */
  record PromptCompletion(String prompt, String completion, String source) implements RawExample {}

  /** {@code {"messages": [{"role", "content"}, ...]}}: the loss covers assistant turns only. */
  record Conversation(List<Turn> turns, String source) implements RawExample {
    public Conversation {
      turns = List.copyOf(turns);
    }
  }

  /** One message of a conversation. */
  record Turn(String role, String content) {}
}
