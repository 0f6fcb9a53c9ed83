package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.layers.Upcast;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;
import ai.llep.trainer.optim.GradClipper;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the gradients autograd left in the parameters into the ones the optimizer applies:
 * replicated (dense and router) gradients are summed over ranks in one all-reduce of a flat float32
 * buffer, experts keep their own (borrowed experts' gradients already came home through the tape),
 * and the global norm counts every parameter once before clipping.
 *
 * <p>With bfloat16 replicated parameters (bf16 ZeRO-1, whose float32 masters the optimizer holds)
 * autograd leaves bfloat16 gradients on them; {@link #accumulate}, after each micro-batch's
 * backward, widens them into that flat float32 buffer and zeroes them, so micro-batches sum in
 * float32, not bfloat16. NOTE: the buffer (4 bytes per replicated parameter) lives from the first
 * micro-batch's backward to the end of the step; with one micro-batch it is the flat buffer the
 * all-reduce needs anyway, with more it adds 4 bytes per parameter to the backward's peak.
 */
final class GradientExchange {
  /** The gradients to apply, by parameter name, and their global norm before clipping. */
  record StepGradients(Map<String, NDArray> byName, double norm) {}

  private final Communicator comm;
  private final NDManager manager;
  private final List<Parameter> replicated = new ArrayList<>();
  private final List<Parameter> sharded = new ArrayList<>();
  private final boolean widened;
  private boolean parked;
  private NDManager pending;
  private NDArray sum_N;

  /**
   * @param manager on the device the communicator moves tensors on (the job's)
   */
  GradientExchange(Communicator comm, List<Parameter> trainable, NDManager manager) {
    this.comm = comm;
    this.manager = manager;
    for (Parameter p : trainable) {
      (p.kind() == ParameterKind.EXPERT ? sharded : replicated).add(p);
    }
    widened = replicated.stream().anyMatch(p -> Aten.dtype(p.array()) != DataType.FLOAT32);
  }

  /**
   * After a micro-batch's backward: with bfloat16 replicated parameters, adds their gradients, in
   * float32, into this step's sum and zeroes them; otherwise nothing (float32 leaves sum in place).
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void accumulate() {
    if (!widened) {
      return;
    }
    if (sum_N == null) {
      pending = manager.newSubManager();
      long total = replicated.stream().mapToLong(p -> p.array().size()).sum();
      sum_N = pending.zeros(new Shape(total), DataType.FLOAT32);
    }
    try (GradMode off = GradMode.disabled();
        NDManager scope = pending.newSubManager()) {
      long offset = 0;
      for (Parameter p : replicated) {
        long n = p.array().size();
        try (NDArray g = p.array().getGradient()) {
          NDArray wide = Upcast.toFloat32(g).flatten();
          wide.attach(scope);
          NDArray part = sum_N.get(new NDIndex(offset + ":" + (offset + n)));
          part.attach(scope);
          part.addi(wide);
          Scalars.muli(g, 0);
        }
        offset += n;
      }
    }
  }

  /**
   * Collective: every rank calls it once per optimizer step. Arrays live in {@code scope}. The
   * replicated gradients are views of one summed flat buffer, so their norm and clipping each take
   * one operation on that buffer rather than one per parameter.
   */
  StepGradients collect(NDManager scope, double maxNorm) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    NDArray summed_N = sumOverRanks(scope);
    List<NDArray> replicatedGrads = summed_N == null ? List.of() : viewsOf(summed_N);
    for (int i = 0; i < replicated.size(); i++) {
      byName.put(replicated.get(i).name(), replicatedGrads.get(i));
    }
    List<NDArray> shardedGrads = new ArrayList<>();
    for (Parameter p : sharded) {
      NDArray g = p.array().getGradient();
      g.attach(scope);
      shardedGrads.add(g);
      byName.put(p.name(), g);
    }
    double squared =
        GradClipper.globalSquaredNorm(
            List.of(
                new GradClipper.GroupNorm(
                    "replicated",
                    GradClipper.squaredNorm(summed_N == null ? List.of() : List.of(summed_N)),
                    GradClipper.Placement.REPLICATED),
                new GradClipper.GroupNorm(
                    "experts",
                    GradClipper.squaredNorm(shardedGrads),
                    GradClipper.Placement.SHARDED)),
            this::sumDouble);
    double norm = Math.sqrt(squared);
    if (maxNorm > 0 && Double.isFinite(squared)) {
      double factor = GradClipper.clipFactor(squared, maxNorm);
      if (factor < 1) {
        List<NDArray> storage = new ArrayList<>(shardedGrads);
        if (summed_N != null) {
          storage.add(summed_N);
        }
        GradClipper.apply(storage, factor);
      }
    }
    return new StepGradients(byName, norm);
  }

  /**
   * Ends the step's gradients: their memory is given back until {@link #beforeBackward} (as {@code
   * zero_grad(set_to_none=True)} does), so that the next forward, where the step's memory peaks,
   * runs without them. Each gradient keeps its tensor, emptied (libtorch's {@code set_data}):
   * autograd's accumulation needs a gradient of the parameter's shape, which {@link
   * #beforeBackward} puts back as zeros.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void zero() {
    if (pending != null) {
      pending.close();
      pending = null;
      sum_N = null;
    }
    try (GradMode off = GradMode.disabled();
        NDManager scope = manager.newSubManager()) {
      // One empty tensor per dtype serves every gradient of that dtype (nothing to share).
      Map<DataType, NDArray> empty = new EnumMap<>(DataType.class);
      for (Parameter p : parkedGroup()) {
        try (NDArray g = p.array().getGradient()) {
          NDArray none =
              empty.computeIfAbsent(
                  Aten.dtype(g), type -> Aten.empty(scope, new Shape(0), type, g.getDevice()));
          Aten.replaceData(g, none);
        }
      }
    }
    parked = true;
  }

  /**
   * Before each backward: gives the gradients {@link #zero} emptied their zeros back, so that
   * autograd adds into them; nothing when they hold this step's sums already.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void beforeBackward() {
    if (!parked) {
      return;
    }
    try (GradMode off = GradMode.disabled()) {
      for (Parameter p : parkedGroup()) {
        try (NDArray g = p.array().getGradient()) {
          try (NDArray zeros = Aten.zerosLike(p.array(), Aten.dtype(g))) {
            Aten.replaceData(g, zeros);
          }
        }
      }
    }
    parked = false;
  }

  /** The parameters whose gradients live from step to step (widened ones are summed elsewhere). */
  private List<Parameter> parkedGroup() {
    List<Parameter> group = new ArrayList<>(sharded);
    if (!widened) {
      group.addAll(replicated);
    }
    return group;
  }

  /** The replicated gradients summed over ranks, flat, or null when there are none. */
  private NDArray sumOverRanks(NDManager scope) {
    if (replicated.isEmpty()) {
      return null;
    }
    NDArray local;
    if (widened) {
      if (sum_N == null) {
        accumulate();
      }
      local = sum_N;
    } else {
      NDList flat = new NDList(replicated.size());
      for (Parameter p : replicated) {
        try (NDArray g = p.array().getGradient()) {
          NDArray f = g.flatten();
          f.attach(scope);
          flat.add(f);
        }
      }
      local = NDArrays.concat(flat, 0);
    }
    // A sum over one rank is the buffer itself: no all-reduce and no second buffer.
    NDArray summed = comm.worldSize() == 1 ? local : comm.allReduce(local, ReduceOp.SUM);
    summed.attach(scope);
    return summed;
  }

  /** Each replicated parameter's gradient as a view of {@code flat_N}, in their order. */
  private List<NDArray> viewsOf(NDArray flat_N) {
    long[] ends = new long[replicated.size() - 1];
    long offset = 0;
    for (int i = 0; i < ends.length; i++) {
      offset += replicated.get(i).array().size();
      ends[i] = offset;
    }
    NDList parts = flat_N.split(ends, 0);
    List<NDArray> out = new ArrayList<>(replicated.size());
    for (int i = 0; i < parts.size(); i++) {
      out.add(parts.get(i).reshape(replicated.get(i).array().getShape()));
    }
    return out;
  }

  private double sumDouble(double local) {
    try (NDManager m = manager.newSubManager();
        NDArray mine = m.create(new double[] {local});
        NDArray total = comm.allReduce(mine, ReduceOp.SUM)) {
      return total.toType(DataType.FLOAT64, false).getDouble(0);
    }
  }
}
