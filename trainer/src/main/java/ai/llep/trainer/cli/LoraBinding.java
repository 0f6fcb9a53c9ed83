package ai.llep.trainer.cli;

import ai.llep.models.lora.LoraInit;
import ai.llep.models.lora.LoraSpec;
import ai.llep.models.lora.LoraTarget;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.train.LoraOptions;
import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/** Binds {@code train.method} and the {@code lora} section; every error names its key. */
final class LoraBinding {
  private LoraBinding() {}

  static LoraOptions bind(Config config) {
    LoraOptions.TrainMethod method =
        Settings.choice(config, "train.method", LoraOptions.TrainMethod::valueOf, "full, lora");
    if (method == LoraOptions.TrainMethod.FULL) {
      return LoraOptions.FULL;
    }
    try {
      Set<LoraTarget> targets = EnumSet.noneOf(LoraTarget.class);
      for (String target : Settings.stringOrList(config, "lora.targets")) {
        targets.add(LoraTarget.parse("lora.targets", target));
      }
      LoraSpec spec =
          new LoraSpec(
              config.getInt("lora.rank"),
              config.getDouble("lora.alpha"),
              config.getDouble("lora.dropout"),
              config.getBoolean("lora.use-rslora"),
              LoraInit.parse("lora.init", config.getString("lora.init")),
              targets,
              config.getLong("seed"));
      String adapter = config.getString("lora.adapter").trim();
      if (!adapter.isEmpty() && !Files.isDirectory(Path.of(adapter))) {
        throw new ConfigError("lora.adapter=" + adapter + " is not a folder");
      }
      long cacheMb = config.getLong("lora.expert-cache-mb");
      if (cacheMb < 0) {
        throw new ConfigError("lora.expert-cache-mb must be >= 0, got " + cacheMb);
      }
      return new LoraOptions(
          method,
          spec,
          adapter.isEmpty() ? Optional.empty() : Optional.of(Path.of(adapter)),
          config.getBoolean("lora.merge-on-export"),
          Math.multiplyExact(cacheMb, 1L << 20));
    } catch (ConfigError e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new ConfigError(e.getMessage());
    }
  }
}
