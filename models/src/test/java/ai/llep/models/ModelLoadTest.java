package ai.llep.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TensorNames;
import ai.llep.models.hf.TensorSource;
import ai.llep.plan.DispatchMode;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Loading one rank's share, the parameter registry, and the errors of a wrong checkpoint. */
class ModelLoadTest {
  @Test
  void aRankHoldsTheDenseWeightsAndOnlyItsExperts() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    InMemoryTensorSource source = TestModels.checkpoint(config, 1);
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                new ModelShard(1, 2),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT32,
                root)) {
      ParameterRegistry registry = model.parameters();
      List<Parameter> experts = registry.ofKind(ParameterKind.EXPERT);
      assertEquals(2 * 3, experts.size(), "2 layers x gate, up, down, each a stack");
      TensorNames n = new TensorNames(config.family());
      for (Parameter stack : experts) {
        assertEquals(2, stack.expert(), "the stack starts at rank 1's first expert");
        assertEquals(2, stack.array().getShape().get(0), stack.name());
        assertTrue(stack.name().contains(".experts.2-3."), stack.name());
      }
      assertEquals(
          List.of(n.expertGate(1, 2), n.expertGate(1, 3)),
          registry.get(n.expertStack(1, "gate", 2, 4)).sliceNames());
      assertEquals(2, registry.ofKind(ParameterKind.ROUTER).size());
      assertEquals(
          source.readNames(),
          new HashSet<>(registry.checkpointNames()),
          "read exactly what it holds");
      assertTrue(registry.all().stream().allMatch(p -> p.array().hasGradient()));
      assertEquals(new Shape(4, 16), registry.get(n.router(1)).array().getShape());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> registry.get(n.expertUp(0, 0)));
      assertEquals(
          "this rank holds no parameter model.layers.0.block_sparse_moe.experts.0.w3.weight",
          e.getMessage());
    }
  }

  @Test
  void everyCheckpointTensorIsExportedByExactlyOneRank() {
    ModelConfig config = TestModels.config(TestModels.QWEN3_MOE);
    InMemoryTensorSource source = TestModels.checkpoint(config, 1);
    Set<String> exported = new HashSet<>();
    int total = 0;
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      for (int rank = 0; rank < 2; rank++) {
        try (MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                new ModelShard(rank, 2),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT32,
                root)) {
          List<Parameter> tensors = model.exportTensors(root);
          total += tensors.size();
          exported.addAll(names(tensors));
          if (rank == 1) {
            assertTrue(tensors.stream().allMatch(p -> p.kind() == ParameterKind.EXPERT));
          }
        }
      }
    }
    assertEquals(source.names(), exported);
    assertEquals(source.names().size(), total);
    assertFalse(exported.contains("lm_head.weight"), "Qwen3 test config ties the head");
  }

  @Test
  void aMissingTensorIsNamed() {
    ModelConfig config = TestModels.config(TestModels.OLMOE);
    InMemoryTensorSource source = TestModels.checkpoint(config, 1);
    source.remove("model.layers.1.self_attn.k_norm.weight");
    assertLoadFails(
        config,
        source,
        new ModelShard(0, 1),
        "the checkpoint lacks 1 tensor(s) the config needs:"
            + " model.layers.1.self_attn.k_norm.weight");
  }

  @Test
  void anotherRanksMissingExpertDoesNotMatter() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    InMemoryTensorSource source = TestModels.checkpoint(config, 1);
    source.remove(new TensorNames(config.family()).expertDown(1, 0));
    try (NDManager root = NDManager.newBaseManager("PyTorch");
        MoeTransformer model =
            MoeTransformer.load(
                config,
                source,
                new ModelShard(1, 2),
                Checks.planner(DispatchMode.EP),
                DataType.FLOAT32,
                root)) {
      assertEquals(2, model.placement().ranks());
    }
  }

  @Test
  void aMisShapedTensorIsNamedWithBothShapes() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    InMemoryTensorSource source = TestModels.checkpoint(config, 1);
    source.put("model.layers.0.self_attn.k_proj.weight", new Shape(16, 16), new float[256]);
    assertLoadFails(
        config,
        source,
        ModelShard.single(),
        "tensor model.layers.0.self_attn.k_proj.weight has shape (16, 16) in the checkpoint, but"
            + " the config needs (8, 16)");
  }

  /** A NaN in a stored weight is found as the weight loads, not as a gradient-norm error later. */
  @Test
  void aNonFiniteWeightIsNamed() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    String name = new TensorNames(config.family()).expertDown(0, 1);
    InMemoryTensorSource source =
        TestModels.checkpoint(config, 1)
            .withValue(name, 3, Float.NaN)
            .withValue(name, 5, Float.NEGATIVE_INFINITY);
    assertEquals(
        "tensor " + name + " holds 2 non-finite (NaN or infinite) values",
        loadError(config, source).getMessage());
  }

  /** A weight stored as integers is not silently converted to floats. */
  @Test
  void anIntegerTensorWhereAWeightBelongsIsNamed() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    InMemoryTensorSource floats = TestModels.checkpoint(config, 1);
    String name = "model.layers.1.post_attention_layernorm.weight";
    TensorSource source =
        new TensorSource() {
          @Override
          public Set<String> names() {
            return floats.names();
          }

          @Override
          public Shape shape(String tensor) {
            return floats.shape(tensor);
          }

          @Override
          public NDArray read(String tensor, NDManager manager, DataType computeType) {
            return floats.read(tensor, manager, computeType);
          }

          @Override
          public Optional<String> integerStorage(String tensor) {
            return tensor.equals(name) ? Optional.of("I64") : Optional.empty();
          }
        };
    assertEquals(
        "tensor " + name + " is stored as I64, an integer type, but it is a floating-point weight",
        loadError(config, source).getMessage());
    assertTrue(floats.readNames().isEmpty(), "found before any tensor was read");
  }

  @Test
  void expertsMustSplitEvenlyOverTheRanks() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    assertLoadFails(
        config,
        TestModels.checkpoint(config, 1),
        new ModelShard(0, 3),
        "num_experts (4) must be divisible by the world size (3) so that every rank owns the same"
            + " number of experts");
  }

  @Test
  void onlyFloatComputeTypes() {
    ModelConfig config = TestModels.config(TestModels.MIXTRAL);
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  MoeTransformer.load(
                      config,
                      TestModels.checkpoint(config, 1),
                      ModelShard.single(),
                      Checks.planner(DispatchMode.EP),
                      DataType.INT32,
                      root));
      assertEquals(
          "compute type must be float32, float64, float16 or bfloat16, got int32", e.getMessage());
    }
  }

  private static void assertLoadFails(
      ModelConfig config, InMemoryTensorSource source, ModelShard shard, String message) {
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  MoeTransformer.load(
                      config,
                      source,
                      shard,
                      Checks.planner(DispatchMode.EP),
                      DataType.FLOAT32,
                      root));
      assertEquals(message, e.getMessage());
      assertTrue(source.readNames().isEmpty(), "nothing is read before every check passed");
    }
  }

  private static Set<String> names(List<Parameter> parameters) {
    Set<String> out = new HashSet<>();
    parameters.forEach(p -> out.add(p.name()));
    return out;
  }

  /** The error loading {@code source} on a single rank throws. */
  private static IllegalArgumentException loadError(ModelConfig config, TensorSource source) {
    try (NDManager root = NDManager.newBaseManager("PyTorch")) {
      return assertThrows(
          IllegalArgumentException.class,
          () ->
              MoeTransformer.load(
                  config,
                  source,
                  ModelShard.single(),
                  Checks.planner(DispatchMode.EP),
                  DataType.FLOAT32,
                  root));
    }
  }
}
