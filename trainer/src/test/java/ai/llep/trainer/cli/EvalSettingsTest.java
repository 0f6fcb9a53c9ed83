package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.data.DataFile;
import ai.llep.trainer.data.EvalData;
import ai.llep.trainer.train.EvalOptions;
import ai.llep.trainer.train.TrainSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The eval keys as train binds them, and the errors that name them. */
class EvalSettingsTest {
  @TempDir Path dir;
  private Path train;
  private Path eval;

  @BeforeEach
  void files() throws IOException {
    train = Files.writeString(dir.resolve("train.jsonl"), "{\"text\": \"a\"}\n");
    eval = Files.writeString(dir.resolve("eval.jsonl"), "{\"text\": \"b\"}\n");
  }

  private TrainSettings bind(String... overrides) {
    List<String> all =
        Stream.concat(Stream.of("data.files=[\"" + train + "\"]"), Stream.of(overrides)).toList();
    return TrainBinding.settings(
        new ConfigLoader().load(Optional.empty(), all).config(), Optional.empty());
  }

  private String error(String... overrides) {
    return assertThrows(ConfigError.class, () -> bind(overrides)).getMessage();
  }

  @Test
  void evalFilesOrAHeldOutFractionWithTheirSchedule() {
    TrainSettings none = bind();
    assertEquals(EvalData.NONE, none.data().eval());
    assertEquals(EvalOptions.DEFAULT, none.eval());
    TrainSettings files =
        bind(
            "data.eval-files=[{path=\"" + eval + "\", weight=0.5}]",
            "train.eval-every=25",
            "train.early-stopping.patience=3",
            "train.early-stopping.min-delta=0.01");
    assertEquals(
        new EvalData(List.of(new DataFile(eval, 0.5, DataFile.of(eval).format())), 0),
        files.data().eval());
    assertEquals(new EvalOptions(25, 3, 0.01), files.eval());
    assertEquals(0.05, bind("data.eval-fraction=0.05").data().eval().fraction());
  }

  @Test
  void badValuesAndCombinationsNameTheirKeys() {
    assertEquals(
        "data.eval-fraction must be in (0, 1), the share of data.files held out for evaluation (0"
            + " = none), got 1.5",
        error("data.eval-fraction=1.5"));
    assertEquals(
        "data.eval-fraction must be in (0, 1), the share of data.files held out for evaluation (0"
            + " = none), got -0.1",
        error("data.eval-fraction=-0.1"));
    assertEquals(
        "data.eval-files and data.eval-fraction=0.1 are both set: evaluate on the files"
            + " (data.eval-fraction=0) or on a held-out fraction of data.files"
            + " (data.eval-files=[])",
        error("data.eval-files=[\"" + eval + "\"]", "data.eval-fraction=0.1"));
    assertEquals(
        "data.eval-files: " + dir.resolve("gone.jsonl") + " does not exist",
        error("data.eval-files=[\"" + dir.resolve("gone.jsonl") + "\"]"));
    assertEquals(
        "train.eval-every=10 needs an eval set: name files with data.eval-files, or hold out a"
            + " fraction of data.files with data.eval-fraction (e.g. 0.05)",
        error("train.eval-every=10"));
    assertEquals(
        "train.early-stopping.patience=2 needs an eval set: name files with data.eval-files, or"
            + " hold out a fraction of data.files with data.eval-fraction (e.g. 0.05)",
        error("train.eval-every=10", "train.early-stopping.patience=2"));
    assertEquals(
        "train.early-stopping.patience=2 needs train.eval-every > 0: with evaluations only after"
            + " the last step there is nothing to stop early",
        error("data.eval-fraction=0.1", "train.early-stopping.patience=2"));
    assertEquals(
        "train.eval-every must be >= 0 (0 = evaluate only after the last step), got -5",
        error("train.eval-every=-5"));
    assertEquals(
        "train.early-stopping.min-delta must be a number >= 0, got -0.5",
        error("train.early-stopping.min-delta=-0.5"));
  }
}
