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
 * (to within one element); the weights themselves stay whole on every rank, since every forward
 * reads them (in bf16 they are the float32 masters each forward casts from).
 *
 * <p>Shape suffixes: P ranks, C elements of a chunk.
 *
 * <p>NOTE: each step all-gathers one chunk per rank, {@code 4 * chunk * worldSize} bytes received
 * per rank, the size of the replicated weights (padded to a multiple of the world size).
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
    List<OptimParam> updated = new ArrayList<>();
    try (GradMode off = GradMode.disabled()) {
      for (ElementPartition.Slice slice : partition.slices(comm.rank())) {
        OptimParam param = this.replicated.get(slice.tensor());
        NDArray view = flatSlice(param.array(), slice, views);
        NDScope.unregister(view);
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
    NDList parts = new NDList(heldViews);
    long held = heldViews.stream().mapToLong(NDArray::size).sum();
    if (held < chunk) {
      parts.add(scope.zeros(new Shape(chunk - held), DataType.FLOAT32, device));
    }
    NDArray mine_C = parts.size() == 1 ? parts.getFirst() : NDArrays.concat(parts, 0);
    if (mine_C != parts.getFirst()) {
      mine_C.attach(scope);
    }
    NDArray all_PC = comm.allGather(mine_C);
    all_PC.attach(scope);
    NDArray flat = all_PC.reshape(-1);
    for (int i = 0; i < replicated.size(); i++) {
      NDArray array = replicated.get(i).array();
      long from = partition.offset(i);
      long to = from + array.size();
      if (from < to) {
        array.set(
            new NDIndex(":"), flat.get(new NDIndex(from + ":" + to)).reshape(array.getShape()));
      }
    }
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

  @Override
  public Map<String, Long> stateBytes() {
    return adamw == null ? Map.of() : adamw.stateBytes();
  }

  @Override
  public void close() {
    try {
      if (adamw != null) {
        adamw.close();
      }
    } finally {
      views.close();
    }
  }
}
