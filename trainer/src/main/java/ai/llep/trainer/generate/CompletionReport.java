package ai.llep.trainer.generate;

import ai.llep.models.tokenizer.TextTokenizer;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What rank 0 shows of a run: each completion's text on standard output under a header line naming
 * the prompt, and, with {@code generate.output}, one JSON line per prompt: {@code index}, {@code
 * prompt} (as given: text or messages), {@code prompt_token_ids}, {@code completion}, {@code
 * token_ids} (the generated ids, with the one that ended the completion) and {@code stop_reason}
 * ({@code eos}, {@code stop_string} or {@code max_new_tokens}).
 */
final class CompletionReport {
  private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();

  private final TextTokenizer tokenizer;
  private final List<String> stop;

  CompletionReport(TextTokenizer tokenizer, List<String> stop) {
    this.tokenizer = tokenizer;
    this.stop = stop;
  }

  void print(List<PromptInput> prompts, List<Completion> completions, PrintStream out) {
    for (Completion c : completions) {
      out.printf(
          "--- prompt %d of %d (%s, %d tokens): %s%n",
          c.index() + 1,
          prompts.size(),
          c.reason().label(),
          c.tokenIds().length,
          shown(prompts.get(c.index())));
      out.println(CompletionText.of(c, tokenizer, stop));
    }
    out.flush();
  }

  void write(List<PromptInput> prompts, List<Completion> completions, Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
        for (Completion c : completions) {
          writer.write(JSON.toJson(line(prompts.get(c.index()), c)));
          writer.write('\n');
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("generate.output: writing " + file + ": " + e.getMessage(), e);
    }
  }

  JsonObject line(PromptInput prompt, Completion c) {
    JsonObject line = new JsonObject();
    line.addProperty("index", c.index());
    line.add("prompt", prompt.given());
    line.add("prompt_token_ids", ids(c.promptIds()));
    line.addProperty("completion", CompletionText.of(c, tokenizer, stop));
    line.add("token_ids", ids(c.tokenIds()));
    line.addProperty("stop_reason", c.reason().label());
    return line;
  }

  /** The prompt on one line: its text, or its last message's content. */
  private static String shown(PromptInput prompt) {
    String text =
        prompt.given().isJsonPrimitive() ? prompt.given().getAsString() : lastContent(prompt);
    return text.replace("\n", "\\n");
  }

  private static String lastContent(PromptInput prompt) {
    Object content = prompt.input().messages().getLast().get("content");
    return content instanceof String s ? s : JSON.toJson(prompt.given());
  }

  private static JsonArray ids(int[] ids) {
    JsonArray out = new JsonArray();
    for (int id : ids) {
      out.add(id);
    }
    return out;
  }
}
