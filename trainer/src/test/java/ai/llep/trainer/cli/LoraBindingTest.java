package ai.llep.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.models.lora.LoraInit;
import ai.llep.models.lora.LoraTarget;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ConfigLoader;
import ai.llep.trainer.train.LoraOptions;
import ai.llep.trainer.train.TrainSettings;
import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code train.method} and the {@code lora} section bind, or say which key is wrong and why. */
class LoraBindingTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

  private static Config config(String... overrides) {
    return new ConfigLoader()
        .load(Optional.of(ROOT.resolve("recipes").resolve("tiny-moe-sft.conf")), List.of(overrides))
        .config();
  }

  private static TrainSettings bind(String... overrides) {
    return TrainBinding.settings(config(overrides), Optional.of(ROOT));
  }

  private static String error(String... overrides) {
    return assertThrows(ConfigError.class, () -> bind(overrides)).getMessage();
  }

  @Test
  void fullByDefaultAndLoraWithItsSection() {
    assertFalse(bind().lora().lora());
    LoraOptions lora =
        bind(
                "train.method=lora",
                "lora.rank=8",
                "lora.alpha=16",
                "lora.use-rslora=true",
                "lora.init=gaussian",
                "lora.targets=[q_proj, v_proj, experts.down_proj]",
                "lora.expert-cache-mb=3")
            .lora();
    assertTrue(lora.lora());
    assertEquals(8, lora.spec().rank());
    assertEquals(16 / Math.sqrt(8), lora.spec().scaling(), 1e-12);
    assertEquals(LoraInit.GAUSSIAN, lora.spec().init());
    assertEquals(
        EnumSet.of(LoraTarget.Q_PROJ, LoraTarget.V_PROJ, LoraTarget.EXPERTS_DOWN),
        lora.spec().targets());
    assertEquals(3L << 20, lora.expertCacheBytes());
    assertTrue(lora.peftLoadable());
  }

  @Test
  void badValuesNameTheirKey() {
    assertEquals("train.method=qlora is not one of: full, lora", error("train.method=qlora"));
    assertEquals(
        "lora.targets: 'gate' is not a LoRA target; valid: q_proj, k_proj, v_proj, o_proj,"
            + " gate_proj, up_proj, down_proj, experts.gate_up_proj, experts.down_proj",
        error("train.method=lora", "lora.targets=[q_proj, gate]"));
    assertEquals("lora.rank must be >= 1, got 0", error("train.method=lora", "lora.rank=0"));
    assertEquals(
        "lora.init=he is not one of: kaiming (PEFT's default), gaussian",
        error("train.method=lora", "lora.init=he"));
    assertTrue(
        error("train.method=lora", "lora.adapter=no/such/folder")
            .startsWith("lora.adapter=no/such/folder is not a folder"));
  }

  @Test
  void combinationsPeftOrTheRecomputeCannotHonourAreRefused() {
    assertTrue(
        error("train.method=lora", "lora.dropout=0.1")
            .startsWith("lora.dropout=0.1 with expert targets: PEFT's target_parameters"));
    assertTrue(
        error(
                "train.method=lora",
                "lora.dropout=0.1",
                "lora.targets=[q_proj]",
                "train.activation-checkpointing=full")
            .startsWith("lora.dropout > 0 with train.activation-checkpointing=full"));
    assertTrue(
        error("train.method=lora", "train.freeze=router")
            .startsWith("train.freeze applies to train.method=full"));
    assertFalse(
        bind("train.method=lora", "lora.targets=[gate_proj, experts.down_proj]")
            .lora()
            .peftLoadable());
  }
}
