package ai.llep.trainer.generate;

import ai.llep.models.tokenizer.TextTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * One row of a batch being generated: its prompt, the tokens so far, its own random stream, and
 * whether (and why) it has stopped. A stopped row's later tokens are never recorded.
 */
final class RowState {
  private final int index;
  private final int[] promptIds;
  private final RandomGenerator random;
  private int[] tokens = new int[16];
  private int count;
  private StopReason reason;

  /**
   * @param index the prompt's index, or -1 for the placeholder row of a rank without prompts in a
   *     round (stopped from the start)
   */
  RowState(int index, int[] promptIds, RandomGenerator random) {
    this.index = index;
    this.promptIds = promptIds;
    this.random = random;
    this.reason = index < 0 ? StopReason.MAX_NEW_TOKENS : null;
  }

  boolean stopped() {
    return reason != null;
  }

  int index() {
    return index;
  }

  int[] promptIds() {
    return promptIds;
  }

  RandomGenerator random() {
    return random;
  }

  /** The token this row feeds the next step: its last one, or {@code filler} once stopped. */
  int nextInput(int filler) {
    return stopped() || count == 0 ? filler : tokens[count - 1];
  }

  /** Records the row's next token and stops it at an EOS id, a stop string or the token limit. */
  void accept(
      int token, Set<Integer> eosIds, List<String> stop, int maxNewTokens, TextTokenizer tok) {
    if (stopped()) {
      throw new IllegalStateException("row " + index + " has stopped");
    }
    if (count == tokens.length) {
      tokens = Arrays.copyOf(tokens, 2 * count);
    }
    tokens[count++] = token;
    if (eosIds.contains(token)) {
      reason = StopReason.EOS;
    } else if (!stop.isEmpty() && CompletionText.firstStop(tok.decode(tokens()), stop) >= 0) {
      reason = StopReason.STOP_STRING;
    } else if (count == maxNewTokens) {
      reason = StopReason.MAX_NEW_TOKENS;
    }
  }

  int[] tokens() {
    return Arrays.copyOf(tokens, count);
  }

  Completion completion() {
    if (!stopped()) {
      throw new IllegalStateException("row " + index + " has not stopped");
    }
    return new Completion(index, promptIds, tokens(), reason);
  }
}
