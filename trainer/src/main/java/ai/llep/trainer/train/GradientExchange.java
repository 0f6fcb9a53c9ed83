package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
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
import ai.llep.tape.Gradients;
import ai.llep.tape.Scalars;
import ai.llep.trainer.optim.GradClipper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the gradients autograd left in the parameters into the ones the optimizer applies:
 * replicated (dense and router) gradients are summed over ranks in one all-reduce, experts keep
 * their own (borrowed experts' gradients already came home through the tape), and the global norm
 * counts every parameter once before clipping.
 *
 * <p>The gradients autograd adds into are views of one flat buffer per step (replicated parameters
 * first, then experts), as DDP's {@code gradient_as_bucket_view} keeps them: the all-reduce, the
 * norm and the clipping each take one operation on a range of it rather than one per parameter, and
 * no copy gathers them. The buffer is made (zeros) before the step's first backward and given back
 * after the optimizer step ({@link #zero}), as {@code zero_grad(set_to_none=True)} frees the
 * gradients, since the forward, where the step's memory peaks, needs none.
 *
 * <p>With bfloat16 replicated parameters (bf16 ZeRO-1, whose float32 masters the optimizer holds)
 * autograd leaves bfloat16 gradients on them; {@link #accumulate}, after each micro-batch's
 * backward, widens them into a flat float32 buffer of their own and zeroes them, so micro-batches
 * sum in float32, not bfloat16. NOTE: that buffer (4 bytes per replicated parameter) lives from the
 * first micro-batch's backward to the end of the step; with one micro-batch it is the flat buffer
 * the all-reduce needs anyway, with more it adds 4 bytes per parameter to the backward's peak.
 */
final class GradientExchange {
  /** The gradients to apply, by parameter name, and their global norm before clipping. */
  record StepGradients(Map<String, NDArray> byName, double norm) {}

  private final Communicator comm;
  private final NDManager manager;
  private final List<Parameter> replicated = new ArrayList<>();
  private final List<Parameter> sharded = new ArrayList<>();
  private final boolean widened;

  /** The parameters whose gradients are views of the flat buffer, in its order. */
  private final List<Parameter> bucketed = new ArrayList<>();

  /** Elements of the flat buffer that belong to replicated parameters (its first ones). */
  private final long replicatedElements;

  private final long bucketElements;
  private final NDManager handles;

  /** {@link #bucketed}'s gradient tensors, the ones autograd adds into. */
  private final List<NDArray> gradients;

  private NDManager bucketScope;
  private NDArray bucket_N;
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
    if (!widened) {
      bucketed.addAll(replicated);
    }
    bucketed.addAll(sharded);
    replicatedElements = widened ? 0 : elements(replicated);
    bucketElements = elements(bucketed);
    handles = manager.newSubManager();
    gradients = gradientTensors();
    emptyGradients();
  }

  private static long elements(List<Parameter> params) {
    return params.stream().mapToLong(p -> p.array().size()).sum();
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
      sum_N = pending.zeros(new Shape(elements(replicated)), DataType.FLOAT32);
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
   * Collective: every rank calls it once per optimizer step, after the step's backwards. Arrays
   * live in {@code scope}, except the gradients themselves, which stay this exchange's.
   */
  StepGradients collect(NDManager scope, double maxNorm) {
    if (bucket_N == null && !bucketed.isEmpty()) {
      throw new IllegalStateException("gradients collected before the step's first backward");
    }
    Map<String, NDArray> byName = new LinkedHashMap<>();
    NDArray replicated_R = null;
    if (widened) {
      replicated_R = sumOverRanks(scope);
      List<NDArray> views = replicated_R == null ? List.of() : viewsOf(replicated_R);
      for (int i = 0; i < replicated.size(); i++) {
        byName.put(replicated.get(i).name(), views.get(i));
      }
    } else if (!replicated.isEmpty()) {
      replicated_R = range(0, replicatedElements, scope);
      if (comm.worldSize() > 1) {
        try (NDArray summed = comm.allReduce(replicated_R, ReduceOp.SUM)) {
          replicated_R.set(new NDIndex(":"), summed);
        }
      }
    }
    for (int i = 0; i < bucketed.size(); i++) {
      byName.put(bucketed.get(i).name(), gradients.get(i));
    }
    NDArray sharded_S = sharded.isEmpty() ? null : range(replicatedElements, bucketElements, scope);
    double squared =
        GradClipper.globalSquaredNorm(
            List.of(
                new GradClipper.GroupNorm(
                    "replicated",
                    GradClipper.squaredNorm(
                        replicated_R == null ? List.of() : List.of(replicated_R)),
                    GradClipper.Placement.REPLICATED),
                new GradClipper.GroupNorm(
                    "experts",
                    GradClipper.squaredNorm(sharded_S == null ? List.of() : List.of(sharded_S)),
                    GradClipper.Placement.SHARDED)),
            this::sumDouble);
    double norm = Math.sqrt(squared);
    if (maxNorm > 0 && Double.isFinite(squared)) {
      double factor = GradClipper.clipFactor(squared, maxNorm);
      if (factor < 1) {
        List<NDArray> storage = new ArrayList<>();
        if (bucket_N != null) {
          storage.add(bucket_N);
        }
        if (widened && replicated_R != null) {
          storage.add(replicated_R);
        }
        GradClipper.apply(storage, factor);
      }
    }
    return new StepGradients(byName, norm);
  }

  /** Elements {@code [from, to)} of the flat buffer, a view attached to {@code scope}. */
  private NDArray range(long from, long to, NDManager scope) {
    NDArray view = bucket_N.get(new NDIndex(from + ":" + to));
    view.attach(scope);
    return view;
  }

  /**
   * Ends the step's gradients: their memory is given back until {@link #beforeBackward}. Each
   * gradient keeps its tensor, emptied (libtorch's {@code set_data}), since the stable ABI cannot
   * unset a gradient; {@link #beforeBackward} points them into a new buffer.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void zero() {
    if (pending != null) {
      pending.close();
      pending = null;
      sum_N = null;
    }
    emptyGradients();
    if (bucketScope != null) {
      bucketScope.close();
      bucketScope = null;
      bucket_N = null;
    }
  }

  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  private void emptyGradients() {
    if (gradients.isEmpty()) {
      return;
    }
    NDArray first = gradients.getFirst();
    try (GradMode off = GradMode.disabled();
        NDManager scope = manager.newSubManager();
        NDArray none = Aten.empty(scope, new Shape(0), Aten.dtype(first), first.getDevice())) {
      for (NDArray g : gradients) {
        Aten.replaceData(g, none);
      }
    }
  }

  /**
   * Before each backward: unless this step's buffer exists already (a later micro-batch), makes it
   * (zeros) and points every bucketed gradient at its part of it, so that autograd adds into the
   * buffer.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void beforeBackward() {
    if (bucket_N != null || bucketed.isEmpty()) {
      return;
    }
    try (GradMode off = GradMode.disabled()) {
      NDArray first = gradients.getFirst();
      bucketScope = manager.newSubManager();
      bucket_N =
          Aten.zeros(bucketScope, new Shape(bucketElements), Aten.dtype(first), first.getDevice());
      long offset = 0;
      for (int i = 0; i < bucketed.size(); i++) {
        NDArray parameter = bucketed.get(i).array();
        long n = parameter.size();
        try (NDArray part = bucket_N.get(new NDIndex(offset + ":" + (offset + n)));
            NDArray view = part.reshape(parameter.getShape())) {
          Aten.replaceData(gradients.get(i), view);
        }
        offset += n;
      }
    }
  }

  /**
   * Each bucketed parameter's gradient tensor (made, as zeros, when it has none), all of one dtype.
   */
  private List<NDArray> gradientTensors() {
    List<NDArray> out = new ArrayList<>(bucketed.size());
    DataType type = null;
    for (Parameter p : bucketed) {
      Gradients.ensureGradient(p.array());
      NDArray g = p.array().getGradient();
      g.attach(handles);
      DataType own = Aten.dtype(g);
      if (type == null) {
        type = own;
      } else if (own != type) {
        throw new IllegalStateException(
            "the gradients of "
                + bucketed.getFirst().name()
                + " ("
                + type
                + ") and "
                + p.name()
                + " ("
                + own
                + ") differ in dtype; every trained parameter with a gradient of its own must share"
                + " one");
      }
      out.add(g);
    }
    return out;
  }

  /** The widened replicated gradients summed over ranks, flat, or null when there are none. */
  private NDArray sumOverRanks(NDManager scope) {
    if (replicated.isEmpty()) {
      return null;
    }
    if (sum_N == null) {
      accumulate();
    }
    // A sum over one rank is the buffer itself: no all-reduce and no second buffer.
    NDArray summed = comm.worldSize() == 1 ? sum_N : comm.allReduce(sum_N, ReduceOp.SUM);
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
