package ai.llep.trainer.data;

import ai.llep.models.tokenizer.ChatMessage;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.models.tokenizer.TokenizedExample;
import java.util.ArrayList;
import java.util.List;

/**
 * From raw examples to training rows: the chat template renders and tokenizes each example with its
 * loss mask (completion or assistant tokens only), then the packer cuts rows.
 */
public final class TrainingRows {
  private TrainingRows() {}

  public static List<PackedSequence> build(
      List<RawExample> examples,
      ChatTemplate template,
      TextTokenizer tokenizer,
      SequencePacker packer) {
    List<int[]> ids = new ArrayList<>(examples.size());
    List<boolean[]> masks = new ArrayList<>(examples.size());
    for (RawExample example : examples) {
      TokenizedExample encoded = encode(example, template, tokenizer);
      ids.add(encoded.inputIds());
      masks.add(encoded.lossMask());
    }
    return packer.pack(ids, masks);
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
