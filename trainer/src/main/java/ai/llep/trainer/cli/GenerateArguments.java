package ai.llep.trainer.cli;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.train.ModelSpec;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The generate command's arguments: up to two positional ones, a model (a folder, or {@code
 * tiny-moe}) and a config file, in either order, then overrides. The model becomes {@code
 * generate.model}. Every {@code generate.prompt=...} adds a prompt (later overrides of other keys
 * replace earlier ones): its text is taken as written, unless it is a quoted HOCON string or, given
 * once, a list.
 *
 * @param overrides the overrides for the config loader, prompts merged into one list
 */
record GenerateArguments(Optional<Path> configFile, List<String> overrides) {
  static final String PROMPT_KEY = "generate.prompt";
  static final String MODEL_KEY = "generate.model";

  private static final Gson JSON = new GsonBuilder().disableHtmlEscaping().create();

  static GenerateArguments parse(List<String> args) {
    Path configFile = null;
    String model = null;
    int first = 0;
    for (; first < args.size() && !args.get(first).contains("="); first++) {
      String arg = args.get(first);
      Path path = Path.of(arg);
      if (Files.isRegularFile(path) && configFile == null) {
        configFile = path;
      } else if ((Files.isDirectory(path) || arg.equals(ModelSpec.TINY)) && model == null) {
        model = arg;
      } else {
        throw new ConfigError(
            "generate: '"
                + arg
                + "' is neither a model folder (Hugging Face, an export, a checkpoint) nor a"
                + " config file, or one of them is given twice (overrides are key=value)");
      }
    }
    List<String> overrides = mergePrompts(args.subList(first, args.size()));
    if (model != null) {
      if (overrides.stream().anyMatch(o -> key(o).equals(MODEL_KEY))) {
        throw new ConfigError(
            "generate: the model is given twice, as '" + model + "' and as " + MODEL_KEY);
      }
      overrides.add(MODEL_KEY + "=" + JSON.toJson(model));
    }
    return new GenerateArguments(Optional.ofNullable(configFile), overrides);
  }

  /** The overrides with every {@code generate.prompt} merged into one list where the first was. */
  static List<String> mergePrompts(List<String> overrides) {
    List<String> prompts = new ArrayList<>();
    List<String> out = new ArrayList<>();
    for (String override : overrides) {
      if (!key(override).equals(PROMPT_KEY)) {
        out.add(override);
        continue;
      }
      if (prompts.isEmpty()) {
        out.add(null);
      }
      prompts.add(override.substring(override.indexOf('=') + 1));
    }
    if (prompts.isEmpty()) {
      return out;
    }
    String merged;
    if (prompts.size() == 1 && prompts.getFirst().strip().startsWith("[")) {
      merged = prompts.getFirst();
    } else {
      List<String> elements = new ArrayList<>();
      for (String prompt : prompts) {
        if (prompt.strip().startsWith("[")) {
          throw new ConfigError(
              "generate.prompt is a list in '"
                  + PROMPT_KEY
                  + "="
                  + prompt
                  + "' and is also given again; give one list or repeat single prompts");
        }
        elements.add(quoted(prompt) ? prompt.strip() : JSON.toJson(prompt));
      }
      merged = "[" + String.join(", ", elements) + "]";
    }
    out.set(out.indexOf(null), PROMPT_KEY + "=" + merged);
    return out;
  }

  private static boolean quoted(String value) {
    String v = value.strip();
    return v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"");
  }

  private static String key(String override) {
    int eq = override.indexOf('=');
    return eq < 0 ? override : override.substring(0, eq).strip();
  }
}
