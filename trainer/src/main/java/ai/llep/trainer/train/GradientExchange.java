package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.models.Parameter;
import ai.llep.models.ParameterKind;
import ai.llep.models.layers.WeightCopies;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import ai.llep.trainer.optim.GradClipper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the gradients of a step's weight copies ({@link WeightCopies}) into the ones the optimizer
 * applies: replicated (dense and router) gradients are summed over ranks in one all-reduce, experts
 * keep their own (borrowed experts' gradients already came home through the tape), and the global
 * norm counts every parameter once before clipping.
 *
 * <p>The step's gradients live in one flat float32 buffer (replicated parameters first, then
 * experts), made when the first micro-batch's gradients arrive, after its backward, and given back
 * after the optimizer step ({@link #zero}), as {@code zero_grad(set_to_none=True)} frees the
 * gradients: the forward, where the step's memory peaks, runs without it. Each parameter's first
 * gradient of the step is copied into its part of the buffer (widened from bfloat16 where the pass
 * computed in it), later ones are added in float32; a parameter no use reached gets zeros. The
 * all-reduce, the norm and the clipping then each take one operation on a range of the buffer.
 */
final class GradientExchange {
  /** The gradients to apply, by parameter name, and their global norm before clipping. */
  record StepGradients(Map<String, NDArray> byName, double norm) {}

  private final Communicator comm;
  private final NDManager manager;
  private final List<Parameter> trainable;

  /** The buffer's order: replicated parameters, then sharded ones. */
  private final List<Parameter> ordered = new ArrayList<>();

  /** Each trainable parameter's position in {@link #ordered}. */
  private final int[] position;

  private final long replicatedElements;
  private final long totalElements;
  private boolean mastersChecked;
  private NDManager bucketScope;
  private NDArray bucket_N;
  private NDArray[] parts;
  private boolean[] filled;

  /**
   * @param manager on the device the communicator moves tensors on (the job's)
   */
  GradientExchange(Communicator comm, List<Parameter> trainable, NDManager manager) {
    this.comm = comm;
    this.manager = manager;
    this.trainable = List.copyOf(trainable);
    for (Parameter p : trainable) {
      if (p.kind() != ParameterKind.EXPERT) {
        ordered.add(p);
      }
    }
    replicatedElements = elements(ordered);
    for (Parameter p : trainable) {
      if (p.kind() == ParameterKind.EXPERT) {
        ordered.add(p);
      }
    }
    totalElements = elements(ordered);
    position = new int[trainable.size()];
    for (int i = 0; i < trainable.size(); i++) {
      position[i] = ordered.indexOf(trainable.get(i));
    }
  }

  private static long elements(List<Parameter> params) {
    return params.stream().mapToLong(p -> p.array().size()).sum();
  }

  /** The arrays to open {@link WeightCopies} on; a received gradient's index is into this list. */
  List<NDArray> trainedArrays() {
    return trainable.stream().map(Parameter::array).toList();
  }

  /**
   * After a micro-batch's pass has closed: sums the gradients its weight copies received into the
   * step's buffer, and closes them.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  void absorb(List<WeightCopies.Received> received) {
    try (GradMode off = GradMode.disabled()) {
      if (!mastersChecked) {
        requireNoDirectGradients();
        mastersChecked = true;
      }
      ensureBucket();
      // Each parameter's first gradient of the step is copied (all in one call), later ones added.
      List<NDArray> targets = new ArrayList<>();
      List<NDArray> firsts = new ArrayList<>();
      List<WeightCopies.Received> later = new ArrayList<>();
      for (WeightCopies.Received r : received) {
        int i = position[r.parameter()];
        if (!filled[i]) {
          targets.add(parts[i]);
          firsts.add(r.gradient());
          filled[i] = true;
        } else {
          later.add(r);
        }
      }
      try {
        Aten.copyAll(targets, firsts);
        for (WeightCopies.Received r : later) {
          NDArray part = parts[position[r.parameter()]];
          if (Aten.dtype(r.gradient()) == DataType.FLOAT32) {
            part.addi(r.gradient());
          } else {
            try (NDArray wide = Aten.cast(r.gradient(), DataType.FLOAT32)) {
              part.addi(wide);
            }
          }
        }
      } finally {
        received.forEach(r -> r.gradient().close());
      }
    }
  }

  /**
   * The parameters themselves must receive nothing: a gradient there means some use bypassed the
   * weight copies, and would be lost.
   */
  private void requireNoDirectGradients() {
    for (Parameter p : trainable) {
      try (NDArray direct = Gradients.held(p.array())) {
        if (direct != null) {
          throw new IllegalStateException(
              "parameter "
                  + p.name()
                  + " received a gradient of its own: every use of a trained weight in a training"
                  + " pass must go through StepView, whose copies carry the gradients");
        }
      }
    }
  }

  private void ensureBucket() {
    if (bucket_N != null) {
      return;
    }
    NDArray first = ordered.isEmpty() ? null : ordered.getFirst().array();
    bucketScope = manager.newSubManager();
    bucket_N =
        Aten.empty(
            bucketScope,
            new Shape(totalElements),
            DataType.FLOAT32,
            first == null ? manager.getDevice() : first.getDevice());
    parts = new NDArray[ordered.size()];
    filled = new boolean[ordered.size()];
    long offset = 0;
    for (int i = 0; i < ordered.size(); i++) {
      NDArray parameter = ordered.get(i).array();
      long n = parameter.size();
      try (NDArray flat = Aten.narrow(bucket_N, 0, offset, n, bucketScope)) {
        parts[i] = flat.reshape(parameter.getShape());
        parts[i].attach(bucketScope);
      }
      offset += n;
    }
  }

  /**
   * Collective: every rank calls it once per optimizer step, after the step's micro-batches. The
   * gradients stay this exchange's until {@link #zero}; other arrays live in {@code scope}.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  StepGradients collect(NDManager scope, double maxNorm) {
    Map<String, NDArray> byName = new LinkedHashMap<>();
    NDArray replicated_R = null;
    NDArray sharded_S = null;
    try (GradMode off = GradMode.disabled()) {
      ensureBucket();
      try (NDArray zero = scope.zeros(new Shape(), DataType.FLOAT32, bucket_N.getDevice())) {
        for (int i = 0; i < ordered.size(); i++) {
          if (!filled[i]) {
            Aten.copyInto(parts[i], zero);
            filled[i] = true;
          }
        }
      }
      if (replicatedElements > 0) {
        replicated_R = range(0, replicatedElements, scope);
        if (comm.worldSize() > 1) {
          try (NDArray summed = comm.allReduce(replicated_R, ReduceOp.SUM)) {
            replicated_R.set(new NDIndex(":"), summed);
          }
        }
      }
      if (totalElements > replicatedElements) {
        sharded_S = range(replicatedElements, totalElements, scope);
      }
    }
    for (int i = 0; i < ordered.size(); i++) {
      byName.put(ordered.get(i).name(), parts[i]);
    }
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
        GradClipper.apply(List.of(bucket_N), factor);
      }
    }
    return new StepGradients(byName, norm);
  }

  /** Elements {@code [from, to)} of the flat buffer, a view attached to {@code scope}. */
  private NDArray range(long from, long to, NDManager scope) {
    return Aten.narrow(bucket_N, 0, from, to - from, scope);
  }

  /** Ends the step's gradients: the buffer's memory is given back until the next step's. */
  void zero() {
    if (bucketScope != null) {
      bucketScope.close();
      bucketScope = null;
      bucket_N = null;
      parts = null;
      filled = null;
    }
  }

  private double sumDouble(double local) {
    try (NDManager m = manager.newSubManager();
        NDArray mine = m.create(new double[] {local});
        NDArray total = comm.allReduce(mine, ReduceOp.SUM)) {
      return total.toType(DataType.FLOAT64, false).getDouble(0);
    }
  }
}
