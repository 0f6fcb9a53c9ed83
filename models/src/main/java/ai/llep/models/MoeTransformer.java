package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TensorNames;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.layers.AttentionContext;
import ai.llep.models.layers.CachedAttentionContext;
import ai.llep.models.layers.ChunkedLmLoss;
import ai.llep.models.layers.Embedding;
import ai.llep.models.layers.Linear;
import ai.llep.models.layers.LossSum;
import ai.llep.models.layers.RmsNorm;
import ai.llep.models.layers.RotaryEmbedding;
import ai.llep.models.layers.Upcast;
import ai.llep.models.moe.RoutingRecord;
import ai.llep.models.moe.RoutingStats;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.tape.DistributedTape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Mixtral / Qwen3-MoE / OLMoE / gpt-oss causal language model as one rank holds it: every dense
 * weight (replicated; data parallel) and this rank's slice of every MoE layer's experts (expert
 * parallel). The MoE layers dispatch through {@link MoeDispatcher}, so with a least-loaded planner
 * they run LLEP, and the tape makes the backward exact across ranks.
 *
 * <p>The model owns its parameters (closed with it). A forward pass creates everything under the
 * manager the caller passes and records on the caller's tape: run it under {@code
 * GradMode.enabled()} with a training tape, then {@code tape.backward(...)}, then close the step's
 * manager.
 */
public final class MoeTransformer implements AutoCloseable {
  private static final Set<DataType> COMPUTE_TYPES =
      Set.of(DataType.FLOAT32, DataType.FLOAT64, DataType.FLOAT16, DataType.BFLOAT16);

  private final ModelConfig config;
  private final ModelShard shard;
  private final DataType computeType;
  private final NDManager manager;
  private final ParameterRegistry registry;
  private final ParameterRegistry adapters;
  private final ExpertPlacement placement;
  private final Embedding embedding;
  private final List<DecoderLayer> layers = new ArrayList<>();
  private final RmsNorm finalNorm;
  private final Linear lmHead;
  private final NDArray headWeight;
  private final RotaryEmbedding rotary;
  private final Set<Integer> explicitWindows;

  private MoeTransformer(
      ModelConfig config,
      ModelShard shard,
      DataType computeType,
      Planner planner,
      NDManager manager,
      List<Parameter> parameters,
      LayerAdapters adapters) {
    this.config = config;
    this.shard = shard;
    this.computeType = computeType;
    this.manager = manager;
    this.registry = new ParameterRegistry(parameters);
    this.adapters = new ParameterRegistry(adapters.parameters());
    boolean anyMoe = config.denseLayers().size() < config.numLayers();
    this.placement = anyMoe ? new ExpertPlacement(config.numExperts(), shard.worldSize()) : null;
    Map<String, NDArray> byName = new HashMap<>();
    parameters.forEach(p -> byName.put(p.name(), p.array()));
    TensorNames names = new TensorNames(config.family());
    this.embedding = new Embedding(byName.get(names.embedding()));
    List<Integer> experts = new ArrayList<>();
    if (anyMoe) {
      int first = placement.firstExpert(shard.rank());
      for (int e = first; e < first + placement.expertsPerRank(); e++) {
        experts.add(e);
      }
    }
    for (int layer = 0; layer < config.numLayers(); layer++) {
      layers.add(
          DecoderLayer.build(
              config, computeType, layer, experts, byName::get, placement, planner, adapters));
    }
    this.finalNorm = new RmsNorm(byName.get(names.finalNorm()), config.rmsNormEps());
    this.headWeight = config.tieEmbeddings() ? embedding.table() : byName.get(names.lmHead());
    this.lmHead = new Linear(headWeight, null);
    this.rotary = RotaryEmbedding.of(config.headDim(), config.ropeTheta(), config.ropeScaling());
    this.explicitWindows = new TreeSet<>();
    layers.forEach(l -> l.explicitWindow().ifPresent(explicitWindows::add));
  }

  /**
   * Loads the dense tensors and only {@code shard}'s experts from {@code source}, as trainable
   * parameters under a sub-manager of {@code parent}, for a forward in {@code computeType}: float32
   * or float64 for training, float16 for inference, all with parameters of that type; or bfloat16
   * mixed precision, with float32 parameters (the master weights the optimizer updates and
   * checkpoints keep) of which each pass computes with a bfloat16 copy ({@link
   * ai.llep.models.layers.StepView#like}). Each MoE layer owns a dispatcher that plans with {@code
   * planner} (EP, LLEP or the switch between them) and runs the family's expert function.
   *
   * @throws IllegalArgumentException when the experts do not split over the world size, or a tensor
   *     is missing or mis-shaped (the message names it)
   */
  public static MoeTransformer load(
      ModelConfig config,
      TensorSource source,
      ModelShard shard,
      Planner planner,
      DataType computeType,
      NDManager parent) {
    return load(config, source, shard, planner, computeType, parent, null);
  }

  /**
   * {@link #load(ModelConfig, TensorSource, ModelShard, Planner, DataType, NDManager)} with {@code
   * adapters} (LoRA): the base weights are then frozen (no gradients) and held in {@code
   * computeType} itself (bfloat16 weights under bfloat16 compute, no float32 copy), and only the
   * adapters' parameters ({@link #adapters}) train.
   *
   * @param adapters the trainable additions, or null for a model whose own weights train
   */
  public static MoeTransformer load(
      ModelConfig config,
      TensorSource source,
      ModelShard shard,
      Planner planner,
      DataType computeType,
      NDManager parent,
      ModelAdapters adapters) {
    if (!COMPUTE_TYPES.contains(computeType)) {
      throw new IllegalArgumentException(
          "compute type must be float32, float64, float16 or bfloat16, got " + computeType);
    }
    List<TensorSpec> specs = TensorLayout.owned(config, shard.rank(), shard.worldSize());
    NDManager manager = parent.newSubManager();
    try {
      DataType stored = adapters == null ? parameterType(computeType) : computeType;
      List<Parameter> parameters =
          ExpertStacking.stack(
              WeightLoader.read(specs, source, stored, manager),
              TensorLayout.expertStacks(config, shard.rank(), shard.worldSize()));
      LayerAdapters attached = LayerAdapters.NONE;
      if (adapters != null) {
        parameters.forEach(p -> p.array().setRequiresGradient(false));
        attached = adapters.attach(config, shard, manager);
      }
      return new MoeTransformer(config, shard, computeType, planner, manager, parameters, attached);
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  /**
   * A freshly initialised model (Hugging Face's initialisation). Each tensor is drawn from {@code
   * seed} and its name alone, so the weights are the same for every world size.
   */
  public static MoeTransformer initRandom(
      ModelConfig config,
      long seed,
      ModelShard shard,
      Planner planner,
      DataType computeType,
      NDManager parent) {
    return initRandom(config, seed, shard, planner, computeType, parent, null);
  }

  /** {@link #initRandom} with {@code adapters} over the frozen random base, or none when null. */
  public static MoeTransformer initRandom(
      ModelConfig config,
      long seed,
      ModelShard shard,
      Planner planner,
      DataType computeType,
      NDManager parent,
      ModelAdapters adapters) {
    return load(config, randomTensors(config, seed), shard, planner, computeType, parent, adapters);
  }

  /** The tensors of a fresh model ({@link #initRandom}), each drawn when it is read. */
  public static TensorSource randomTensors(ModelConfig config, long seed) {
    return new RandomTensorSource(config, seed);
  }

  /**
   * Runs {@code batch} through the model to its logits. Every rank calls this with its own batch
   * (any B and S), in step with the others: each MoE layer is a collective. NOTE: the logits are
   * [B, S, V]; training uses {@link #loss}, which never makes them in full.
   *
   * @param manager owns every tensor the pass creates (close it after the backward)
   */
  public ModelOutput forward(DistributedTape tape, NDManager manager, TokenBatch batch) {
    Trunk trunk = trunk(tape, manager, batch, ActivationCheckpointing.NONE);
    NDArray logits_TV = lmHead.forward(trunk.h_TD());
    return new ModelOutput(
        logits_TV.reshape(batch.batchSize(), batch.seqLength(), config.vocabSize()),
        trunk.routing());
  }

  /**
   * The causal-LM loss of {@code batch} against its labels, the LM head and cross-entropy computed
   * {@link ChunkedLmLoss#defaultChunkTokens} tokens at a time.
   */
  public LossOutput loss(DistributedTape tape, NDManager manager, TokenBatch batch) {
    return loss(tape, manager, batch, ChunkedLmLoss.defaultChunkTokens(config.vocabSize()));
  }

  /**
   * {@link #loss} with the LM head and cross-entropy computed {@code chunkTokens} tokens at a time:
   * no [B * S, V] logits tensor exists. Values and gradients equal those of the loss of {@link
   * #forward}'s logits up to rounding.
   */
  public LossOutput loss(
      DistributedTape tape, NDManager manager, TokenBatch batch, int chunkTokens) {
    return loss(tape, manager, batch, chunkTokens, ActivationCheckpointing.NONE);
  }

  /**
   * {@link #loss(DistributedTape, NDManager, TokenBatch)} with {@code checkpointing}: the same loss
   * and gradients, with less kept for the backward and more recomputed in it.
   */
  public LossOutput loss(
      DistributedTape tape,
      NDManager manager,
      TokenBatch batch,
      ActivationCheckpointing checkpointing) {
    return loss(
        tape, manager, batch, ChunkedLmLoss.defaultChunkTokens(config.vocabSize()), checkpointing);
  }

  private LossOutput loss(
      DistributedTape tape,
      NDManager manager,
      TokenBatch batch,
      int chunkTokens,
      ActivationCheckpointing checkpointing) {
    if (batch.labels_BS() == null) {
      throw new IllegalArgumentException("the batch has no labels");
    }
    Trunk trunk = trunk(tape, manager, batch, checkpointing);
    LossSum loss =
        ChunkedLmLoss.sum(
            trunk.h_TD(), headWeight, batch.labels_BS(), batch.segments(), chunkTokens);
    return new LossOutput(loss, trunk.routing());
  }

  /** The final hidden states (after the final norm), [T, D], and the layers' routing. */
  private record Trunk(NDArray h_TD, List<RoutingStats> routing) {}

  private Trunk trunk(
      DistributedTape tape,
      NDManager manager,
      TokenBatch batch,
      ActivationCheckpointing checkpointing) {
    checkWorld(tape.comm());
    AttentionContext ctx =
        AttentionContext.create(
            manager,
            rotary,
            batch.positions_BS(),
            batch.segments(),
            computeType,
            config.headDim(),
            explicitWindows);
    boolean recomputeExperts = checkpointing == ActivationCheckpointing.MOE;
    List<RoutingStats> routing = new ArrayList<>();
    NDArray h_TD = Upcast.restore(embedding.forward(manager, batch.inputIds_BS()), residualType());
    for (DecoderLayer layer : layers) {
      RoutingRecord record = new RoutingRecord(manager);
      NDArray x_TD = tape.cut(h_TD);
      h_TD =
          checkpointing == ActivationCheckpointing.FULL
              ? tape.checkpoint(
                  new NDList(x_TD),
                  (t, in) -> layer.forward(t, in.head(), ctx, record, false),
                  "layer")
              : layer.forward(tape, x_TD, ctx, record, recomputeExperts);
      if (record.stats() != null) {
        routing.add(record.stats());
      }
    }
    return new Trunk(finalNorm.forward(tape.cut(h_TD), computeType), routing);
  }

  /**
   * An empty key/value cache for generation in this model's compute type: {@code padding_B.length}
   * rows of at most {@code capacity} positions, row b left-padded by {@code padding_B[b]}; under a
   * sub-manager of {@code parent} (on its device), freed when the cache is closed.
   */
  public KvCache newCache(int[] padding_B, int capacity, NDManager parent) {
    int[] windows_L = layers.stream().mapToInt(l -> l.explicitWindow().orElse(0)).toArray();
    return KvCache.create(config, windows_L, padding_B, capacity, computeType, parent);
  }

  /**
   * Runs the next {@code ids_BS[b].length} positions of every row of {@code cache} (the whole
   * prompt, padding included, then one token per step), attending to the earlier positions through
   * the cache and adding the new ones to it. Every rank calls it in step with the others (each MoE
   * layer is a collective), whatever its own batch. For generation: run it under {@code
   * GradMode.disabled()} with an inference tape.
   *
   * @param lastOnly the logits of each row's last new position only ({@code [B, 1, V]}), else of
   *     every new position ({@code [B, S, V]}); float32 (computed in the compute type, then
   *     widened, as transformers' generate reads them)
   */
  public ModelOutput forwardCached(
      DistributedTape tape, NDManager manager, int[][] ids_BS, KvCache cache, boolean lastOnly) {
    checkWorld(tape.comm());
    int batch = ids_BS.length;
    int seq = batch == 0 ? 0 : ids_BS[0].length;
    if (batch != cache.batch()) {
      throw new IllegalArgumentException(
          batch + " rows of token ids for a key/value cache of " + cache.batch() + " rows");
    }
    CachedAttentionContext ctx = cache.context(manager, rotary, seq, computeType, explicitWindows);
    List<RoutingStats> routing = new ArrayList<>();
    NDArray h_TD = Upcast.restore(embedding.forward(manager, ids_BS), residualType());
    for (int i = 0; i < layers.size(); i++) {
      RoutingRecord record = new RoutingRecord(manager);
      h_TD = layers.get(i).forwardCached(tape, h_TD, ctx, cache.layer(i), record);
      if (record.stats() != null) {
        routing.add(record.stats());
      }
    }
    cache.advance(seq);
    NDArray h_BSD = h_TD.reshape(batch, seq, config.hiddenSize());
    if (lastOnly) {
      h_BSD = h_BSD.get(new NDIndex(":, {}:", seq - 1));
    }
    NDArray logits = Upcast.toFloat32(lmHead.forward(finalNorm.forward(h_BSD, computeType)));
    return new ModelOutput(logits, routing);
  }

  public ParameterRegistry parameters() {
    return registry;
  }

  /** The adapters' parameters (LoRA), which alone train over a frozen base; empty without. */
  public ParameterRegistry adapters() {
    return adapters;
  }

  /**
   * The tensors this rank writes when the model is saved, under their checkpoint names: rank 0 the
   * dense and router ones, every rank its own experts (views of the stacks, one per expert,
   * attached to {@code scope}). Over all ranks each checkpoint tensor appears exactly once (a tied
   * LM head is not a separate tensor).
   */
  public List<Parameter> exportTensors(NDManager scope) {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : registry.all()) {
      if (p.kind() == ParameterKind.EXPERT || shard.rank() == 0) {
        out.addAll(p.checkpointTensors(scope));
      }
    }
    return out;
  }

  public ModelConfig config() {
    return config;
  }

  public ModelShard shard() {
    return shard;
  }

  /** The type a forward pass computes in. */
  public DataType computeType() {
    return computeType;
  }

  /** The type of the parameters: float32 under bfloat16 compute, else the compute type. */
  public DataType parameterType() {
    return parameterType(computeType);
  }

  /**
   * The type of the residual stream (the embedding's output and every layer's sum): float32 under
   * bfloat16 compute, as torch's autocast keeps it, else the compute type.
   */
  private DataType residualType() {
    return parameterType(computeType);
  }

  private static DataType parameterType(DataType computeType) {
    return computeType == DataType.BFLOAT16 ? DataType.FLOAT32 : computeType;
  }

  /** Where experts live; null when the config has no MoE layer. */
  public ExpertPlacement placement() {
    return placement;
  }

  private void checkWorld(Communicator comm) {
    if (comm.rank() != shard.rank() || comm.worldSize() != shard.worldSize()) {
      throw new IllegalArgumentException(
          "the model was loaded for rank "
              + shard.rank()
              + " of "
              + shard.worldSize()
              + ", the communicator is rank "
              + comm.rank()
              + " of "
              + comm.worldSize());
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
