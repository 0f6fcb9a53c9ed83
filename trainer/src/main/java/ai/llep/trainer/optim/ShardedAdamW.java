package ai.llep.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.tape.GradMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ZeRO stage 1: {@link AdamW} with the state of the replicated parameters split between the ranks.
 * The replicated parameters' elements, flattened and laid end to end, are cut into one chunk per
 * rank ({@link ElementPartition}); each rank keeps the moments of its chunk only, and of its own
 * sharded parameters (experts) whole. A step updates, on each rank, its chunk (through views of the
 * parameters, in place) and its sharded parameters, then all-gathers the chunks, so that every rank
 * holds the same replicated weights again.
 *
 * <p>AdamW is element-wise, so each element is updated exactly as the replicated optimizer updates
 * it, from the same (all-reduced, clipped) gradient: the weights after a step are the same bits.
 * The replicated parameters' moments take {@code 1 / worldSize} of their unsharded bytes per rank
 * (to within one element).
 *
 * <p>With {@link #withBf16Masters} (bf16 training) the float32 master weights are split too ({@link
 * MasterChunk}): the model's replicated parameters become bfloat16 (the compute copy every forward
 * reads), each rank updates the float32 masters of its chunk from the float32 gradients and
 * all-gathers its chunk in bfloat16 into every rank's parameters. Per replicated parameter a rank
 * then holds 2 bytes of weights, 2 of gradient and {@code 12 / worldSize} of masters and moments,
 * instead of 4 + 4 + {@code 8 / worldSize}. The bfloat16 weights are then bf16(master) for every
 * element, the same bits on every rank. Without it, the weights stay whole on every rank (in bf16
 * they are the float32 masters each forward casts from).
 *
 * <p>Shape suffixes: P ranks, C elements of a chunk.
 *
 * <p>NOTE: each step all-gathers one chunk per rank, {@code 4 * chunk * worldSize} bytes received
 * per rank (2 with bf16 masters), the size of the replicated weights (padded to a multiple of the
 * world size).
 */
public final class ShardedAdamW implements Optimizer {
  private final Communicator comm;
  private final List<OptimParam> replicated;
  private final List<OptimParam> sharded;
  private final ElementPartition partition;
  private final Map<String, ElementPartition.Slice> held = new LinkedHashMap<>();
  private final NDManager views;
  private final List<NDArray> heldViews = new ArrayList<>();
  private final AdamW adamw;
  private final MasterChunk masters;
  private final Device device;
  private long step;

  /**
   * @param replicated parameters every rank holds whole (their gradients all-reduced)
   * @param sharded parameters only this rank holds (its experts)
   */
  public ShardedAdamW(
      List<OptimParam> replicated,
      List<OptimParam> sharded,
      AdamWConfig config,
      Communicator comm) {
    this(replicated, sharded, config, comm, false);
  }

  /**
   * ZeRO-1 for bf16 training: this rank keeps the float32 masters of its chunk, taken from the
   * (float32) {@code replicated} parameters as they are now, and the parameters become bfloat16 in
   * place. They must have no gradient yet.
   */
  public static ShardedAdamW withBf16Masters(
      List<OptimParam> replicated,
      List<OptimParam> sharded,
      AdamWConfig config,
      Communicator comm) {
    return new ShardedAdamW(replicated, sharded, config, comm, true);
  }

  private ShardedAdamW(
      List<OptimParam> replicated,
      List<OptimParam> sharded,
      AdamWConfig config,
      Communicator comm,
      boolean bf16Masters) {
    this.comm = comm;
    this.replicated = List.copyOf(replicated);
    this.sharded = List.copyOf(sharded);
    List<OptimParam> all = new ArrayList<>(this.replicated);
    all.addAll(this.sharded);
    if (all.isEmpty()) {
      throw new IllegalArgumentException("adamw needs at least one parameter");
    }
    Set<String> names = new HashSet<>();
    for (OptimParam param : all) {
      if (!names.add(param.name())) {
        throw new IllegalArgumentException("duplicate parameter name " + param.name());
      }
    }
    device = all.getFirst().array().getDevice();
    partition =
        new ElementPartition(
            this.replicated.stream().map(p -> p.array().size()).toList(), comm.worldSize());
    views = all.getFirst().array().getManager().newSubManager();
    masters =
        bf16Masters && !this.replicated.isEmpty()
            ? MasterChunk.take(this.replicated, partition, comm.rank())
            : null;
    List<OptimParam> updated = new ArrayList<>();
    try (GradMode off = GradMode.disabled()) {
      for (ElementPartition.Slice slice : partition.slices(comm.rank())) {
        OptimParam param = this.replicated.get(slice.tensor());
        NDArray view;
        if (masters == null) {
          view = flatSlice(param.array(), slice, views);
          NDScope.unregister(view);
        } else {
          view = masters.views().get(param.name());
        }
        held.put(param.name(), slice);
        heldViews.add(view);
        updated.add(new OptimParam(param.name(), view, param.weightDecay()));
      }
    }
    updated.addAll(this.sharded);
    adamw = updated.isEmpty() ? null : new AdamW(updated, config);
  }

  /**
   * Elements {@code [start, end)} of {@code array} flattened: a view of a contiguous array, so that
   * the update writes into the parameter (for a non-contiguous one a copy, which stays correct
   * since the all-gather writes every parameter whole, but costs its size).
   */
  private static NDArray flatSlice(NDArray array, ElementPartition.Slice slice, NDManager manager) {
    try (NDArray flat = array.flatten()) {
      NDArray view = flat.get(new NDIndex(slice.start() + ":" + slice.end()));
      view.attach(manager);
      return view;
    }
  }

  /** The world size the replicated state is split over. */
  public int worldSize() {
    return comm.worldSize();
  }

  /**
   * The replicated parameters this rank holds state of, by name: which elements of each (flattened)
   * it holds.
   */
  public Map<String, ElementPartition.Slice> heldSlices() {
    return Collections.unmodifiableMap(held);
  }

  @Override
  public long stepCount() {
    return step;
  }

  /** Collective: every rank calls it at the same step, with the same replicated gradients. */
  @Override
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  public void step(double lr, Map<String, NDArray> gradients) {
    requireGradients(gradients);
    try (NDManager scope = views.newSubManager();
        GradMode off = GradMode.disabled()) {
      Map<String, NDArray> own = new LinkedHashMap<>();
      for (Map.Entry<String, ElementPartition.Slice> entry : held.entrySet()) {
        own.put(entry.getKey(), flatSlice(gradients.get(entry.getKey()), entry.getValue(), scope));
      }
      for (OptimParam param : sharded) {
        own.put(param.name(), gradients.get(param.name()));
      }
      if (adamw != null) {
        adamw.step(lr, own);
      } else if (!(lr >= 0) || Double.isInfinite(lr)) {
        throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
      }
      allGather(scope);
    }
    step++;
  }

  private void requireGradients(Map<String, NDArray> gradients) {
    List<OptimParam> all = new ArrayList<>(replicated);
    all.addAll(sharded);
    GradientCheck.ordered(all, gradients);
  }

  /**
   * Every rank's chunk of the updated replicated weights, padded to {@link
   * ElementPartition#chunk()}, gathered and written into each replicated parameter in place.
   */
  private void allGather(NDManager scope) {
    long chunk = partition.chunk();
    if (chunk == 0) {
      return;
    }
    NDArray mine_C = masters != null ? masters.compute(scope) : paddedChunk(scope, chunk);
    NDArray all_PC = comm.allGather(mine_C);
    all_PC.attach(scope);
    // bfloat16 is written through float16 views of the same bits: DJL's set aborts on bfloat16.
    NDArray flat = masters == null ? all_PC.reshape(-1) : asHalf(all_PC.reshape(-1), scope);
    for (int i = 0; i < replicated.size(); i++) {
      NDArray array = replicated.get(i).array();
      long from = partition.offset(i);
      long to = from + array.size();
      if (from < to) {
        NDArray target = masters == null ? array : asHalf(array, scope);
        target.set(
            new NDIndex(":"), flat.get(new NDIndex(from + ":" + to)).reshape(array.getShape()));
      }
    }
  }

  private NDArray paddedChunk(NDManager scope, long chunk) {
    NDList parts = new NDList(heldViews);
    long held = heldViews.stream().mapToLong(NDArray::size).sum();
    if (held < chunk) {
      parts.add(scope.zeros(new Shape(chunk - held), DataType.FLOAT32, device));
    }
    NDArray mine_C = parts.size() == 1 ? parts.getFirst() : NDArrays.concat(parts, 0);
    if (mine_C != parts.getFirst()) {
      mine_C.attach(scope);
    }
    return mine_C;
  }

  private static NDArray asHalf(NDArray bf16, NDManager scope) {
    NDArray half = Aten.reinterpret(bf16, DataType.FLOAT16);
    half.attach(scope);
    return half;
  }

  /** Whether this optimizer holds the float32 masters of the replicated parameters' chunk. */
  public boolean holdsMasters() {
    return masters != null;
  }

  /**
   * Collective: with bf16 masters, the replicated parameters' float32 masters whole, by name, on
   * rank {@code root} (gathered one parameter at a time; other ranks keep nothing), attached to
   * {@code scope}; empty without them (the parameters are their own masters). NOTE: {@code root}
   * then holds a float32 copy of every replicated parameter until {@code scope} closes.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  public Map<String, NDArray> gatherMasters(NDManager scope, int root) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    if (masters == null) {
      return out;
    }
    try (GradMode off = GradMode.disabled()) {
      for (int i = 0; i < replicated.size(); i++) {
        OptimParam param = replicated.get(i);
        try (NDManager one = scope.newSubManager()) {
          NDArray whole = masters.gather(i, param.array().getShape(), comm, one);
          if (comm.rank() == root) {
            whole.attach(scope);
            out.put(param.name(), whole);
          }
        }
      }
    }
    return out;
  }

  @Override
  public AdamWState exportState(NDManager manager) {
    return adamw == null ? new AdamWState(step, Map.of()) : adamw.exportState(manager);
  }

  /**
   * The state must name this rank's held slices (each of its slice's length) and sharded
   * parameters, as {@link #exportState} gives them.
   */
  @Override
  public void importState(AdamWState state) {
    if (adamw != null) {
      adamw.importState(state);
    } else if (!state.tensors().isEmpty()) {
      throw new IllegalArgumentException(
          "rank "
              + comm.rank()
              + " holds no optimizer state, but the state names "
              + state.tensors().keySet());
    }
    step = state.step();
  }

  /** The moments and, with bf16 masters, the float32 masters this rank holds, by name. */
  @Override
  public Map<String, Long> stateBytes() {
    Map<String, Long> bytes = new LinkedHashMap<>(adamw == null ? Map.of() : adamw.stateBytes());
    if (masters != null) {
      bytes.replaceAll((name, b) -> b + masters.bytes(name));
    }
    return bytes;
  }

  @Override
  public void close() {
    try {
      if (adamw != null) {
        adamw.close();
      }
    } finally {
      views.close();
      if (masters != null) {
        masters.close();
      }
    }
  }
}
