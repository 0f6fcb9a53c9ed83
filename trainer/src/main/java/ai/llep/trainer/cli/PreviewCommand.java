package ai.llep.trainer.cli;

import ai.llep.runtime.WorldInfo;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ResolvedConfig;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.DataFormat;
import ai.llep.trainer.data.ExampleReader;
import ai.llep.trainer.data.RawExample;
import ai.llep.trainer.data.RowParser;
import ai.llep.trainer.preview.Preview;
import ai.llep.trainer.train.ChatFormat;
import ai.llep.trainer.train.ModelSpec;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The first examples of the configured data (or a conversation from the command line) as training
 * sees them, in one process: only the model's tokenizer and chat template are read, not its
 * weights.
 */
@Command(
    name = "preview",
    mixinStandardHelpOptions = true,
    description =
        "Show the first preview.count examples of data.files (or preview.conversation) rendered"
            + " with the model's chat template, learned tokens marked; preview.output=FILE writes"
            + " text, input_ids and loss_mask per example as JSON lines. Reads no weights.")
final class PreviewCommand implements Callable<Integer> {
  @Mixin CommandArgs args;

  @Override
  public Integer call() {
    ResolvedConfig resolved = Settings.load(args);
    Config config = resolved.config();
    if (WorldInfo.fromEnvironment(System.getenv()).rank() != 0) {
      return 0;
    }
    String source = config.getString("model.source");
    if (source.isBlank()) {
      throw new ConfigError(
          "model.source is empty: give tiny-moe or a Hugging Face model folder (its tokenizer.json"
              + " and chat template are enough)");
    }
    int count = config.getInt("preview.count");
    if (count < 1) {
      throw new ConfigError("preview.count must be >= 1, got " + count);
    }
    List<RawExample> examples = examples(config, count);
    ChatFormat format =
        ChatFormat.open(
            new ModelSpec(source, config.getInt("model.tiny-experts")),
            TemplateSettings.bind(config));
    String output = config.getString("preview.output");
    new Preview(format, config.getInt("data.max-length"), TrainBinding.truncation(config))
        .show(
            examples,
            System.out,
            output.isBlank() ? Optional.empty() : Optional.of(Path.of(output)));
    return 0;
  }

  private static List<RawExample> examples(Config config, int count) {
    ConfigList conversation = config.getList("preview.conversation");
    if (!conversation.isEmpty()) {
      JsonObject row = new JsonObject();
      row.add(
          "messages", JsonParser.parseString(conversation.render(ConfigRenderOptions.concise())));
      return List.of(RowParser.parse(row, "preview.conversation", DataFormat.MESSAGES));
    }
    List<DataFile> files =
        DataFileSettings.bind(
            config, Optional.ofNullable(System.getenv("LLEP_HOME")).map(Path::of));
    if (files.isEmpty()) {
      throw new ConfigError(
          "data.files is empty: name the JSONL files to preview, e.g. 'data.files=[\"train.jsonl\"]',"
              + " or give a conversation in preview.conversation");
    }
    return new ExampleReader(config.getBoolean("data.skip-bad-lines"))
        .readFirst(files, config.getLong("seed"), count);
  }
}
