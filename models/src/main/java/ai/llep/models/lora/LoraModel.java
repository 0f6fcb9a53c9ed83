package ai.llep.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.FrozenWeightCache;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.LayerAdapters;
import ai.llep.models.ModelAdapters;
import ai.llep.models.ModelShard;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.experts.SwiGluExperts;
import ai.llep.models.family.FamilyExperts;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.layers.LinearAdapter;
import ai.llep.plan.ExpertPlacement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LoRA for {@link ai.llep.models.MoeTransformer#load(ModelConfig, TensorSource, ModelShard,
 * ai.llep.plan.Planner, ai.djl.ndarray.types.DataType, NDManager, ModelAdapters)}: each rank makes
 * the adapters of every adapted projection and of its own experts, as parameters (dense ones
 * replicated, expert ones stacked like the experts, one checkpoint tensor per expert).
 */
public final class LoraModel implements ModelAdapters {
  private final LoraSpec spec;
  private final TensorSource initial;
  private final long cacheBytes;

  /**
   * @param initial where the adapters start (under {@link LoraSites}' names: {@link
   *     PeftAdapterSource}, a checkpoint), or null to draw new ones
   * @param cacheBytes the budget of each rank's cache of borrowed base experts ({@link
   *     FrozenWeightCache}); 0 keeps none
   */
  public LoraModel(LoraSpec spec, TensorSource initial, long cacheBytes) {
    if (cacheBytes < 0) {
      throw new IllegalArgumentException("the weight cache budget must be >= 0, got " + cacheBytes);
    }
    this.spec = spec;
    this.initial = initial;
    this.cacheBytes = cacheBytes;
  }

  public LoraSpec spec() {
    return spec;
  }

  @Override
  public LayerAdapters attach(ModelConfig config, ModelShard shard, NDManager manager) {
    LoraSites sites = new LoraSites(config, spec);
    if (sites.modules().isEmpty() && sites.experts().isEmpty()) {
      throw new IllegalArgumentException(
          "lora.targets "
              + spec.ordered().stream().map(LoraTarget::label).toList()
              + " adapt nothing in this model (gate_proj, up_proj and down_proj are dense MLPs,"
              + " which only layers without experts have)");
    }
    ExpertFunction base = FamilyExperts.of(config);
    if (!sites.experts().isEmpty() && !(base instanceof SwiGluExperts s && !s.bias())) {
      throw new IllegalArgumentException(
          "LoRA on experts needs bias-free SwiGLU experts, not " + base);
    }
    AdapterTensors tensors = new AdapterTensors(spec, initial, manager);
    List<Parameter> parameters = new ArrayList<>();
    Map<String, LinearAdapter> linears = new HashMap<>();
    for (LoraSites.Module m : sites.modules()) {
      NDArray a = tensors.a(m.a(), m.in());
      NDArray b = tensors.b(m.b(), m.out());
      parameters.add(new Parameter(m.a(), ParameterKind.DENSE, m.layer(), -1, a));
      parameters.add(new Parameter(m.b(), ParameterKind.DENSE, m.layer(), -1, b));
      linears.put(m.weight(), new LoraLinear(a, b, spec.scaling(), spec.dropout()));
    }
    Map<Integer, List<NDArray>> expertStacks = new LinkedHashMap<>();
    if (!sites.experts().isEmpty()) {
      ExpertPlacement placement = new ExpertPlacement(config.numExperts(), shard.worldSize());
      int first = placement.firstExpert(shard.rank());
      int end = first + placement.expertsPerRank();
      for (LoraSites.Experts e : sites.experts()) {
        Parameter a = expertStack(tensors, e, first, end, true);
        Parameter b = expertStack(tensors, e, first, end, false);
        parameters.add(a);
        parameters.add(b);
        expertStacks.computeIfAbsent(e.layer(), l -> new ArrayList<>()).add(a.array());
        expertStacks.get(e.layer()).add(b.array());
      }
    }
    FrozenWeightCache cache = cacheBytes > 0 ? new FrozenWeightCache(cacheBytes, manager) : null;
    return new Layers(sites, parameters, linears, expertStacks, cache);
  }

  private Parameter expertStack(
      AdapterTensors tensors, LoraSites.Experts e, int first, int end, boolean isA) {
    String[] names = new String[end - first];
    for (int x = first; x < end; x++) {
      names[x - first] = isA ? e.a(x) : e.b(x);
    }
    Shape shape = isA ? new Shape(spec.rank(), e.in()) : new Shape(e.out(), spec.rank());
    NDArray stack = tensors.stack(names, shape, isA, e.in());
    return new Parameter(
        e.stack(first, end, isA ? "lora_A" : "lora_B"),
        ParameterKind.EXPERT,
        e.layer(),
        first,
        stack,
        List.of(names));
  }

  /** The adapters as the decoder layers take them. */
  private final class Layers implements LayerAdapters {
    private final LoraSites sites;
    private final List<Parameter> parameters;
    private final Map<String, LinearAdapter> linears;
    private final Map<Integer, List<NDArray>> expertStacks;
    private final FrozenWeightCache cache;

    Layers(
        LoraSites sites,
        List<Parameter> parameters,
        Map<String, LinearAdapter> linears,
        Map<Integer, List<NDArray>> expertStacks,
        FrozenWeightCache cache) {
      this.sites = sites;
      this.parameters = List.copyOf(parameters);
      this.linears = linears;
      this.expertStacks = expertStacks;
      this.cache = cache;
    }

    @Override
    public List<Parameter> parameters() {
      return parameters;
    }

    @Override
    public LinearAdapter linear(String weightName) {
      return linears.get(weightName);
    }

    @Override
    public ExpertFunction experts(int layer, ExpertFunction base) {
      List<LoraSites.Experts> adapted = sites.experts(layer);
      if (adapted.isEmpty()) {
        return base;
      }
      SwiGluExperts swiglu = (SwiGluExperts) base;
      return new LoraSwiGluExperts(
          swiglu.hidden(),
          swiglu.ffn(),
          spec.rank(),
          spec.scaling(),
          adapted.stream().anyMatch(e -> e.target() == LoraTarget.EXPERTS_GATE_UP),
          adapted.stream().anyMatch(e -> e.target() == LoraTarget.EXPERTS_DOWN));
    }

    @Override
    public List<NDArray> expertTensors(int layer) {
      return expertStacks.getOrDefault(layer, List.of());
    }

    @Override
    public MoeDispatcher dispatcher(int layer, MoeDispatcher base) {
      return cache == null ? base : base.withCache(cache.layer(layer));
    }
  }
}
