package ai.llep.trainer.generate;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.tape.GradMode;
import ai.llep.trainer.data.DataError;
import ai.llep.trainer.train.InferenceModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The {@code generate} command's work on one rank: render every prompt with the model's chat
 * template (the assistant's turn opened), generate this rank's share in lock step with the others,
 * and bring the completions to rank 0, which prints them and writes {@code generate.output}.
 */
public final class GenerateRun {
  private static final Logger LOG = LogManager.getLogger(GenerateRun.class);

  private final Communicator comm;
  private final NDManager manager;
  private final InferenceModel model;
  private final GenerateOptions options;
  private final PrintStream out;

  public GenerateRun(
      Communicator comm,
      NDManager manager,
      InferenceModel model,
      GenerateOptions options,
      PrintStream out) {
    this.comm = comm;
    this.manager = manager;
    this.model = model;
    this.options = options;
    this.out = out;
  }

  /** Collective: every rank calls it with the same prompts. */
  public void run(List<PromptInput> prompts, Optional<Path> output) {
    TextTokenizer tokenizer = model.tokenizer();
    List<Generator.PromptIds> rendered = render(prompts);
    Generator generator =
        new Generator(
            comm,
            manager,
            model.model(),
            tokenizer,
            new HashSet<>(model.eosIds()),
            options,
            fillerId(tokenizer));
    long start = System.nanoTime();
    List<Completion> mine;
    try (GradMode off = GradMode.disabled()) {
      mine = generator.run(rendered);
    }
    List<Completion> all = CompletionExchange.toRankZero(comm, manager, mine);
    double seconds = (System.nanoTime() - start) / 1e9;
    if (comm.rank() != 0) {
      return;
    }
    CompletionReport report = new CompletionReport(tokenizer, options.stop());
    report.print(prompts, all, out);
    output.ifPresent(file -> report.write(prompts, all, file));
    long tokens = all.stream().mapToLong(c -> c.tokenIds().length).sum();
    LOG.info(
        "generated {} tokens for {} prompts on {} rank(s) in {} s ({} tokens/s); template {}{}",
        tokens,
        all.size(),
        comm.worldSize(),
        String.format(Locale.ROOT, "%.2f", seconds),
        String.format(Locale.ROOT, "%.1f", tokens / Math.max(seconds, 1e-9)),
        model.template().name(),
        output.map(file -> "; wrote " + file).orElse(""));
  }

  private List<Generator.PromptIds> render(List<PromptInput> prompts) {
    List<Generator.PromptIds> out = new ArrayList<>();
    for (PromptInput prompt : prompts) {
      int[] ids;
      try {
        ids = model.template().encode(prompt.input(), model.tokenizer()).inputIds();
      } catch (IllegalArgumentException e) {
        throw new DataError(prompt.source() + ": " + e.getMessage());
      }
      if (ids.length == 0) {
        throw new DataError(prompt.source() + ": the chat template renders it as no tokens");
      }
      out.add(new Generator.PromptIds(prompt.index(), ids));
    }
    return out;
  }

  /** The id padding and stopped rows feed the model: the tokenizer's padding, EOS, or 0. */
  private static int fillerId(TextTokenizer tokenizer) {
    return tokenizer.padId().orElse(tokenizer.eosId().orElse(0));
  }
}
