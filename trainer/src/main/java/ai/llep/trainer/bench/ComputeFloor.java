package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.ExpertGroup;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;

/**
 * The compute floor: the same expert FFN work under a perfectly balanced load, with no
 * communication and no per-expert launches. Each rank's T*K rows (its share of all ranks' slots)
 * are split evenly over its M native experts (rounded up) and run as one batched GEMM chain of the
 * layer's expert function over all M experts at once, forward (and backward for forward-backward),
 * on the same stacked weights on the same device as the modes. No dispatch can beat it on this
 * hardware.
 */
final class ComputeFloor {
  private ComputeFloor() {}

  /** This rank's time of each timed run, in milliseconds. */
  static double[] measure(
      Communicator comm, BenchLayer layer, BenchOptions options, DeviceClock clock, NDManager m) {
    long rows = (long) options.tokensPerRank() * layer.shape.topK();
    int experts = layer.natives.size();
    long perExpert = (rows + experts - 1) / experts;
    Shape shape = new Shape(experts, perExpert, layer.shape.hidden());
    boolean backward = options.pass() == BenchPass.FORWARD_BACKWARD;
    try (NDManager inputs = m.newSubManager()) {
      NDArray x_MRD = BenchLayer.normal(inputs, shape, 1.0, layer.dataType);
      NDArray upstream_MRD =
          backward ? BenchLayer.normal(inputs, shape, 1.0, layer.dataType) : null;
      if (backward) {
        x_MRD.setRequiresGradient(true);
      }
      double[] times = new double[options.runs()];
      for (int run = 0; run < options.warmup() + options.runs(); run++) {
        comm.barrier();
        long nanos = clock.time(() -> once(layer, x_MRD, upstream_MRD, inputs));
        if (run >= options.warmup()) {
          times[run - options.warmup()] = nanos / 1e6;
        }
      }
      return times;
    }
  }

  private static void once(BenchLayer layer, NDArray x_MRD, NDArray upstream_MRD, NDManager m) {
    try (NDManager scope = m.newSubManager();
        GradMode grad = upstream_MRD != null ? GradMode.enabled() : GradMode.disabled()) {
      x_MRD.tempAttach(scope);
      layer.natives.tensors().forEach(t -> t.tempAttach(scope));
      NDArray y_MRD = layer.function.forward(ExpertGroup.batched(x_MRD, layer.natives));
      if (upstream_MRD != null) {
        upstream_MRD.tempAttach(scope);
        Gradients.backward(y_MRD, upstream_MRD);
      }
    }
  }
}
