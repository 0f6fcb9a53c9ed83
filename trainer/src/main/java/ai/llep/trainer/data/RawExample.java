package ai.llep.trainer.data;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One training example as read from a JSONL row, with where it came from (for errors) and the
 * format it was read in.
 */
public sealed interface RawExample {
  /** {@code file:line}, or what else gave the example. */
  String source();

  DataFormat format();

  /**
   * A conversation for the chat template: messages as the template sees them (role, content and
   * whatever else the row gives: {@code tool_calls}, {@code reasoning_content}, ...), the row's
   * tool schemas or null. The loss covers the assistant's turns.
   */
  record Chat(
      List<Map<String, Object>> messages, List<Object> tools, String source, DataFormat format)
      implements RawExample {
    public Chat {
      messages = List.copyOf(messages);
      tools = tools == null ? null : List.copyOf(tools);
    }
  }

  /** Plain text for continued pre-training: the loss covers every token. */
  record Text(String text, String source) implements RawExample {
    @Override
    public DataFormat format() {
      return DataFormat.TEXT;
    }
  }

  /** Token ids as given, with the loss mask the row gives. */
  record Tokens(int[] inputIds, boolean[] lossMask, String source) implements RawExample {
    public Tokens {
      if (inputIds.length != lossMask.length) {
        throw new IllegalArgumentException(
            inputIds.length + " input ids but " + lossMask.length + " loss mask entries");
      }
    }

    @Override
    public DataFormat format() {
      return DataFormat.TOKENIZED;
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Tokens that
          && Arrays.equals(inputIds, that.inputIds)
          && Arrays.equals(lossMask, that.lossMask)
          && source.equals(that.source);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(inputIds) + source.hashCode();
    }

    @Override
    public String toString() {
      return "Tokens[" + source + ", " + Arrays.toString(inputIds) + "]";
    }
  }
}
