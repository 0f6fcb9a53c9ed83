package ai.llep.trainer.data;

import ai.llep.models.tokenizer.ChatMessage;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.models.tokenizer.TokenizedExample;
import java.util.ArrayList;
import java.util.List;

/**
 * From raw examples to training rows: the chat template renders and tokenizes each example with its
 * loss mask (completion or assistant tokens only), {@code data.truncation} decides what becomes of
 * examples longer than a row, then the packer cuts rows.
 */
public final class TrainingRows {
  private TrainingRows() {}

  /** The rows, and the examples that did not fit in one. */
  public record Built(List<PackedSequence> rows, OverLength overLength) {}

  /**
   * @throws DataError naming the example's file and line if one is longer than {@code maxLength}
   *     and {@code truncation} is {@link Truncation#ERROR}
   */
  public static Built build(
      List<RawExample> examples,
      ChatTemplate template,
      TextTokenizer tokenizer,
      SequencePacker packer,
      Truncation truncation) {
    List<int[]> ids = new ArrayList<>(examples.size());
    List<boolean[]> masks = new ArrayList<>(examples.size());
    int maxLength = packer.maxLength();
    int count = 0;
    int longest = 0;
    for (RawExample example : examples) {
      TokenizedExample encoded = encode(example, template, tokenizer);
      int length = encoded.inputIds().length;
      longest = Math.max(longest, length);
      if (length > maxLength) {
        count++;
        if (truncation == Truncation.ERROR) {
          throw new DataError(
              example.source()
                  + ": the example has "
                  + length
                  + " tokens, more than data.max-length="
                  + maxLength
                  + " (data.truncation=error; set it to truncate or drop, or raise"
                  + " data.max-length)");
        }
        if (truncation == Truncation.DROP) {
          continue;
        }
      }
      ids.add(encoded.inputIds());
      masks.add(encoded.lossMask());
    }
    return new Built(
        packer.pack(ids, masks),
        new OverLength(examples.size(), count, longest, maxLength, truncation));
  }

  static TokenizedExample encode(
      RawExample example, ChatTemplate template, TextTokenizer tokenizer) {
    try {
      return switch (example) {
        case RawExample.PromptCompletion pc ->
            template.encode(pc.prompt(), pc.completion(), tokenizer);
        case RawExample.Conversation c ->
            template.encode(
                c.turns().stream().map(t -> ChatMessage.of(t.role(), t.content())).toList(),
                tokenizer);
      };
    } catch (IllegalArgumentException e) {
      throw new DataError(example.source() + ": " + e.getMessage());
    }
  }
}
