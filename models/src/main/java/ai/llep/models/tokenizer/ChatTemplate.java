package ai.llep.models.tokenizer;

import java.util.List;
import java.util.Optional;

/**
 * Turns a conversation into text, token ids and a loss mask: a model's own Jinja template ({@link
 * JinjaChatTemplate}) or one of the built-in formats ({@code chatml}, {@code mixtral}, {@code
 * plain}). Training, previews and generation all go through {@link #encode(ChatInput,
 * TextTokenizer)}.
 */
public interface ChatTemplate {
  /** The template's name as configs and logs spell it. */
  String name();

  /**
   * The conversation rendered, tokenized and masked: the mask is true on what the model must learn
   * (assistant text and the end marker of its turns).
   */
  EncodedChat encode(ChatInput input, TextTokenizer tokenizer);

  /**
   * The Jinja text of this template, as exports write it to {@code chat_template.jinja}: the
   * model's own, or for a built-in a Jinja template that renders the same text.
   */
  Optional<String> jinjaSource();

  /** The training example of {@code conversation}, which ends with an assistant message. */
  default TokenizedExample encode(List<ChatMessage> conversation, TextTokenizer tokenizer) {
    return encode(ChatInput.training(conversation), tokenizer).example();
  }

  /** The example of a single user prompt and its completion. */
  default TokenizedExample encode(String prompt, String completion, TextTokenizer tokenizer) {
    return encode(List.of(ChatMessage.user(prompt), ChatMessage.assistant(completion)), tokenizer);
  }

  /**
   * The ids to generate from: {@code conversation}, which must end with a user message, followed by
   * whatever opens the assistant's reply.
   */
  default int[] encodePrompt(List<ChatMessage> conversation, TextTokenizer tokenizer) {
    return encode(ChatInput.prompt(conversation), tokenizer).inputIds();
  }

  /** This template with a run's options (variables, default tools, system prompt) applied. */
  default ChatTemplate withOptions(TemplateOptions options) {
    return options.isEmpty() ? this : new OptionedTemplate(this, options);
  }

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

  /**
   * The built-in template called {@code name}: {@code chatml}, {@code mixtral} or {@code plain}.
   */
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
