package ai.llep.models.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.models.LossOutput;
import ai.llep.models.ModelShard;
import ai.llep.models.MoeTransformer;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.TokenBatch;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** A model with LoRA: the base frozen in the compute type, float32 adapters that alone train. */
class LoraModelTest {
  @Test
  void bfloat16BaseIsHeldInBfloat16AndOnlyTheFloat32AdaptersGetGradients() throws Exception {
    LoraFixture f = LoraFixture.named("qwen3-moe");
    try (NDManager manager = NDManager.newBaseManager();
        HfCheckpoint base = HfCheckpoint.open(f.modelDir());
        PeftAdapterSource adapter = PeftAdapterSource.open(f.initialAdapter(), f.spec());
        MoeTransformer model = f.load(base, adapter, DataType.BFLOAT16, manager)) {
      for (Parameter p : model.parameters().all()) {
        assertEquals(DataType.BFLOAT16, Aten.dtype(p.array()), p.name());
        assertFalse(p.array().hasGradient(), p.name() + " is frozen");
      }
      assertEquals(4 * 2 * 2 + 2 * 2 * 2, model.adapters().all().size(), "adapter matrices");
      for (Parameter p : model.adapters().all()) {
        assertEquals(DataType.FLOAT32, Aten.dtype(p.array()), p.name());
        assertTrue(p.array().hasGradient(), p.name() + " trains");
      }
      double loss;
      try (NDManager step = manager.newSubManager();
          GradMode grad = GradMode.enabled()) {
        DistributedTape tape = DistributedTape.training(new SingleProcessCommunicator());
        LossOutput out =
            model.loss(tape, step, TokenBatch.causalLm(f.inputIds()).withLabels(f.labels()));
        NDArray mean = Scalars.div(out.loss().sum(), out.loss().count());
        tape.backward(mean);
        loss = mean.toType(DataType.FLOAT32, false).getFloat();
      }
      double error = Math.abs(loss - f.step1Loss()) / f.step1Loss();
      assertTrue(error < 1e-2, "bf16 loss " + loss + " vs PEFT's float32 " + f.step1Loss());
      assertTrue(error > 0, "the loss equals float32's exactly: bfloat16 did not run");
      for (Parameter p : model.adapters().all()) {
        try (NDArray g = p.array().getGradient()) {
          assertEquals(DataType.FLOAT32, g.getDataType(), p.name());
          boolean b = p.name().contains("lora_B");
          boolean expert = p.kind() == ParameterKind.EXPERT;
          if (b || !expert) {
            assertTrue(g.abs().sum().getFloat() > 0, p.name() + " got no gradient");
          }
        }
      }
    }
  }

  @Test
  void gptOssIsRefusedNamingTheFamilyOnLoadAndOnMerge() {
    ModelConfig gptOss =
        HfConfigParser.parse(
            """
            {"architectures": ["GptOssForCausalLM"], "model_type": "gpt_oss", "vocab_size": 32,
             "hidden_size": 16, "intermediate_size": 8, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
             "num_local_experts": 4, "num_experts_per_tok": 2, "sliding_window": 3,
             "layer_types": ["sliding_attention", "full_attention"]}
            """);
    LoraSpec attentionOnly =
        new LoraSpec(4, 8, 0, false, LoraInit.KAIMING, EnumSet.of(LoraTarget.Q_PROJ), 1);
    try (NDManager manager = NDManager.newBaseManager()) {
      IllegalArgumentException load =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new LoraModel(attentionOnly, null, 0)
                      .attach(gptOss, ModelShard.single(), manager));
      assertTrue(load.getMessage().contains("model_type gpt_oss"), load.getMessage());
      assertTrue(load.getMessage().contains("train.method=full"), load.getMessage());
    }
    IllegalArgumentException merge =
        assertThrows(
            IllegalArgumentException.class,
            () -> new MergedTensors(null, null, attentionOnly, gptOss));
    assertTrue(merge.getMessage().contains("model_type gpt_oss"), merge.getMessage());
  }
}
