package ai.llep.trainer.generate;

import ai.llep.models.tokenizer.ChatInput;
import com.google.gson.JsonElement;
import java.util.Objects;

/**
 * One prompt to complete, in the order given: its conversation (the chat template opens the
 * assistant's turn after it), what the user gave (echoed in the output file) and where it came
 * from, for errors.
 *
 * @param given the prompt's text, or its {@code messages} array
 * @param source {@code generate.prompt[i]} or {@code file:line}
 */
public record PromptInput(int index, ChatInput input, JsonElement given, String source) {
  public PromptInput {
    if (index < 0) {
      throw new IllegalArgumentException("a prompt's index must be >= 0, got " + index);
    }
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(given, "given");
    Objects.requireNonNull(source, "source");
    if (!input.addGenerationPrompt()) {
      throw new IllegalArgumentException(source + ": a prompt must open the assistant's turn");
    }
  }
}
