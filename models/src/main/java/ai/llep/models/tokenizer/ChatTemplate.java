package ai.llep.models.tokenizer;

import java.util.List;

/**
 * Turns a conversation into token ids and a loss mask. The parts of a turn are encoded one by one
 * and concatenated, so the mask boundaries fall exactly between parts; this equals encoding the
 * whole rendered text wherever the tokenizer splits at those boundaries anyway (special tokens, and
 * the newline after a chatml role for Qwen- and OLMoE-style pre-tokenizers).
 *
 * <p>Conversations are an optional system message, then user and assistant messages alternating
 * from a user; a training example ends with an assistant message.
 */
public interface ChatTemplate {
  /** The template's name as configs spell it. */
  String name();

  /** The training example of {@code conversation}, which must end with an assistant message. */
  TokenizedExample encode(List<ChatMessage> conversation, TextTokenizer tokenizer);

  /** The example of a single user prompt and its completion. */
  default TokenizedExample encode(String prompt, String completion, TextTokenizer tokenizer) {
    return encode(List.of(ChatMessage.user(prompt), ChatMessage.assistant(completion)), tokenizer);
  }

  /**
   * The ids to generate from: {@code conversation}, which must end with a user message, followed by
   * whatever opens the assistant's reply.
   */
  int[] encodePrompt(List<ChatMessage> conversation, TextTokenizer tokenizer);

  /**
   * ChatML, as Qwen3 and OLMoE use it: {@code <|im_start|>role\ncontent<|im_end|>\n} per message.
   * Learned: assistant content and its {@code <|im_end|>}.
   */
  static ChatTemplate chatml() {
    return new ChatmlTemplate();
  }

  /**
   * Mixtral-Instruct, as mistral-common encodes it: BOS once, then {@code [INST] user [/INST]} and
   * {@code assistant</s>} per turn, a system message prepended to the first user message with a
   * blank line. Learned: assistant content and its EOS.
   */
  static ChatTemplate mixtral() {
    return new MixtralTemplate();
  }

  /**
   * No markup: BOS (when the tokenizer has one), the prompt text, then each completion followed by
   * EOS. Learned: completions and their EOS.
   */
  static ChatTemplate plain() {
    return new PlainTemplate();
  }

  /** The template called {@code name}: {@code chatml}, {@code mixtral} or {@code plain}. */
  static ChatTemplate named(String name) {
    return switch (name) {
      case "chatml" -> chatml();
      case "mixtral" -> mixtral();
      case "plain" -> plain();
      default ->
          throw new IllegalArgumentException(
              "unknown chat template '" + name + "': expected chatml, mixtral or plain");
    };
  }
}
