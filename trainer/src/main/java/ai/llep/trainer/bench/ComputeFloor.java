package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.ExpertWeights;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;

/**
 * The compute floor: the same expert FFN work under a perfectly balanced load and no communication.
 * Each rank runs T*K rows (its share of all ranks' slots) split evenly over its M native experts,
 * one GEMM chain per expert, forward (and backward for forward-backward) on the same weights and
 * device as the modes. No dispatch can beat it on this hardware.
 */
final class ComputeFloor {
  private ComputeFloor() {}

  /** This rank's time of each timed run, in milliseconds. */
  static double[] measure(
      Communicator comm, BenchLayer layer, BenchOptions options, DeviceClock clock, NDManager m) {
    long rows = (long) options.tokensPerRank() * layer.shape.topK();
    int experts = layer.natives.size();
    Shape shape = new Shape(rows, layer.shape.hidden());
    boolean backward = options.pass() == BenchPass.FORWARD_BACKWARD;
    try (NDManager inputs = m.newSubManager()) {
      NDArray x_RD = BenchLayer.normal(inputs, shape, 1.0, layer.dataType);
      NDArray upstream_RD = backward ? BenchLayer.normal(inputs, shape, 1.0, layer.dataType) : null;
      if (backward) {
        x_RD.setRequiresGradient(true);
      }
      double[] times = new double[options.runs()];
      for (int run = 0; run < options.warmup() + options.runs(); run++) {
        comm.barrier();
        long nanos = clock.time(() -> once(layer, x_RD, upstream_RD, rows, experts, inputs));
        if (run >= options.warmup()) {
          times[run - options.warmup()] = nanos / 1e6;
        }
      }
      if (backward) {
        layer.zeroGradients();
      }
      return times;
    }
  }

  private static void once(
      BenchLayer layer, NDArray x_RD, NDArray upstream_RD, long rows, int experts, NDManager m) {
    try (NDManager scope = m.newSubManager();
        GradMode grad = upstream_RD != null ? GradMode.enabled() : GradMode.disabled()) {
      x_RD.tempAttach(scope);
      if (upstream_RD != null) {
        upstream_RD.tempAttach(scope);
      }
      long start = 0;
      for (int e = 0; e < experts; e++) {
        long end = start + rows / experts + (e < rows % experts ? 1 : 0);
        ExpertWeights expert = layer.natives.get(e);
        expert.tensors().forEach(t -> t.tempAttach(scope));
        NDIndex range = new NDIndex("{}:{}", start, end);
        NDArray y_RD = expert.apply(x_RD.get(range));
        if (upstream_RD != null) {
          Gradients.backward(y_RD, upstream_RD.get(range));
        }
        start = end;
      }
    }
  }
}
