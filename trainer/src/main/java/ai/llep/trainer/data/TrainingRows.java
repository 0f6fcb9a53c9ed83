package ai.llep.trainer.data;

import ai.llep.models.tokenizer.ChatInput;
import ai.llep.models.tokenizer.ChatTemplate;
import ai.llep.models.tokenizer.EncodedChat;
import ai.llep.models.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * From raw examples to training rows: each example is rendered and tokenized with its loss mask
 * (conversations through the chat template, loss on the assistant's turns; text with the loss on
 * every token; pre-tokenized rows as given), {@code data.truncation} decides what becomes of
 * examples longer than a row, then the packer cuts rows. {@code preview} goes through {@link
 * #encode} and {@link #fit} too.
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
    return build(examples, template, tokenizer, tokenizer.vocabSize(), packer, truncation);
  }

  /**
   * As {@link #build(List, ChatTemplate, TextTokenizer, SequencePacker, Truncation)}, with
   * pre-tokenized ids checked against {@code vocabSize}, the model's vocabulary (its embedding
   * rows), which may exceed the tokenizer's.
   */
  public static Built build(
      List<RawExample> examples,
      ChatTemplate template,
      TextTokenizer tokenizer,
      int vocabSize,
      SequencePacker packer,
      Truncation truncation) {
    List<int[]> ids = new ArrayList<>(examples.size());
    List<boolean[]> masks = new ArrayList<>(examples.size());
    int maxLength = packer.maxLength();
    int count = 0;
    int longest = 0;
    // The mixture repeats an example as the same object: it is tokenized once.
    Map<RawExample, EncodedChat> encoded = new IdentityHashMap<>();
    for (RawExample example : examples) {
      EncodedChat chat =
          encoded.computeIfAbsent(example, e -> encode(e, template, tokenizer, vocabSize));
      int length = chat.inputIds().length;
      longest = Math.max(longest, length);
      count += length > maxLength ? 1 : 0;
      Optional<EncodedChat> fitted = fit(chat, example.source(), maxLength, truncation);
      fitted.ifPresent(
          f -> {
            ids.add(f.inputIds());
            masks.add(f.lossMask());
          });
    }
    return new Built(
        packer.pack(ids, masks),
        new OverLength(examples.size(), count, longest, maxLength, truncation));
  }

  /**
   * What training takes of an example: itself, or for one longer than {@code maxLength} its first
   * {@code maxLength} tokens ({@link Truncation#TRUNCATE}), nothing ({@link Truncation#DROP}) or an
   * error naming {@code source} ({@link Truncation#ERROR}).
   */
  public static Optional<EncodedChat> fit(
      EncodedChat example, String source, int maxLength, Truncation truncation) {
    int length = example.inputIds().length;
    if (length <= maxLength) {
      return Optional.of(example);
    }
    return switch (truncation) {
      case TRUNCATE ->
          Optional.of(
              new EncodedChat(
                  example.text(),
                  Arrays.copyOf(example.inputIds(), maxLength),
                  Arrays.copyOf(example.lossMask(), maxLength)));
      case DROP -> Optional.empty();
      case ERROR ->
          throw new DataError(
              source
                  + ": the example has "
                  + length
                  + " tokens, more than data.max-length="
                  + maxLength
                  + " (data.truncation=error; set it to truncate or drop, or raise"
                  + " data.max-length)");
    };
  }

  /** The example's text, ids and loss mask; an error names the example's source. */
  public static EncodedChat encode(
      RawExample example, ChatTemplate template, TextTokenizer tokenizer) {
    return encode(example, template, tokenizer, tokenizer.vocabSize());
  }

  /** As above, with pre-tokenized ids checked against the model's {@code vocabSize}. */
  public static EncodedChat encode(
      RawExample example, ChatTemplate template, TextTokenizer tokenizer, int vocabSize) {
    try {
      return switch (example) {
        case RawExample.Chat c ->
            template.encode(new ChatInput(c.messages(), c.tools(), false, Map.of()), tokenizer);
        case RawExample.Text t -> text(t.text(), tokenizer);
        case RawExample.Tokens t -> tokens(t, tokenizer, vocabSize);
      };
    } catch (IllegalArgumentException e) {
      throw new DataError(example.source() + ": " + e.getMessage());
    }
  }

  /**
   * BOS (when the tokenizer has one and the text does not start with it), the text, EOS (likewise):
   * as transformers' tokenizers add BOS and TRL appends EOS to language-modelling text.
   */
  private static EncodedChat text(String text, TextTokenizer tokenizer) {
    int[] body = tokenizer.encode(text);
    boolean bos =
        tokenizer.bosId().isPresent()
            && (body.length == 0 || body[0] != tokenizer.bosId().getAsInt());
    boolean eos =
        tokenizer.eosId().isPresent()
            && (body.length == 0 || body[body.length - 1] != tokenizer.eosId().getAsInt());
    int[] ids = new int[body.length + (bos ? 1 : 0) + (eos ? 1 : 0)];
    System.arraycopy(body, 0, ids, bos ? 1 : 0, body.length);
    if (bos) {
      ids[0] = tokenizer.bosId().getAsInt();
    }
    if (eos) {
      ids[ids.length - 1] = tokenizer.eosId().getAsInt();
    }
    boolean[] mask = new boolean[ids.length];
    Arrays.fill(mask, true);
    return new EncodedChat(tokenizer.decode(ids), ids, mask);
  }

  private static EncodedChat tokens(RawExample.Tokens row, TextTokenizer tokenizer, int vocabSize) {
    int[] ids = row.inputIds();
    boolean decodable = true;
    for (int t = 0; t < ids.length; t++) {
      if (ids[t] >= vocabSize) {
        throw new IllegalArgumentException(
            "input_ids["
                + t
                + "] = "
                + ids[t]
                + " is not a token of the model (its vocabulary has "
                + vocabSize
                + " ids)");
      }
      decodable &= ids[t] < tokenizer.vocabSize();
    }
    // Ids the model has but its tokenizer does not (padding rows of the embedding) have no text.
    String text = decodable ? tokenizer.decode(ids) : "";
    return new EncodedChat(text, ids, row.lossMask());
  }
}
