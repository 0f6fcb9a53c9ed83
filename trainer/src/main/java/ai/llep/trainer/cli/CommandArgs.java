package ai.llep.trainer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The arguments every command takes: an optional config file, then overrides; and {@code
 * --full-config}.
 */
final class CommandArgs {
  @Option(
      names = "--full-config",
      description =
          "Print (and track) every section of the resolved config, not only the command's own.")
  boolean fullConfig;

  @Parameters(
      arity = "0..*",
      paramLabel = "ARG",
      description =
          "An optional config file (HOCON), then overrides: key=value (e.g. llep.alpha=1.2) "
              + "or group=name (e.g. llep=ep).")
  List<String> args = new ArrayList<>();

  Optional<Path> configFile() {
    if (args.isEmpty() || args.getFirst().contains("=")) {
      return Optional.empty();
    }
    Path path = Path.of(args.getFirst());
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "config file '" + args.getFirst() + "' does not exist (overrides are key=value)");
    }
    return Optional.of(path);
  }

  List<String> overrides() {
    return configFile().isPresent() ? args.subList(1, args.size()) : args;
  }
}
