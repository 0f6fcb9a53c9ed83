package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.ExpertGroup;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import java.util.Arrays;

/**
 * The compute floor: the same expert FFN work under a perfectly balanced load, with no
 * communication and no per-expert launches. Each rank's T*K rows (its share of all ranks' slots)
 * are split evenly over its M native experts (rounded up) and run through the layer's expert
 * function over all M experts at once, as one grouped call where the modes' dispatcher would group
 * ({@code bench.gemm}), else as one batched GEMM chain; forward (and backward for
 * forward-backward), on the same stacked weights on the same device as the modes. No dispatch can
 * beat it on this hardware.
 */
final class ComputeFloor {
  private ComputeFloor() {}

  /** This rank's time of each timed run, in milliseconds. */
  static double[] measure(
      Communicator comm, BenchLayer layer, BenchOptions options, DeviceClock clock, NDManager m) {
    long rows = (long) options.tokensPerRank() * layer.shape.topK();
    int experts = layer.natives.size();
    long perExpert = (rows + experts - 1) / experts;
    boolean backward = options.pass() == BenchPass.FORWARD_BACKWARD;
    try (NDManager inputs = m.newSubManager()) {
      Shape grouped_GD = new Shape(experts * perExpert, layer.shape.hidden());
      NDArray x_GD = BenchLayer.normal(inputs, grouped_GD, 1.0, layer.dataType);
      long[] rows_E = new long[experts];
      Arrays.fill(rows_E, perExpert);
      boolean grouped = options.gemm().groups(x_GD, layer.natives);
      NDArray upstream_GD =
          backward ? BenchLayer.normal(inputs, grouped_GD, 1.0, layer.dataType) : null;
      if (backward) {
        x_GD.setRequiresGradient(true);
      }
      double[] times = new double[options.runs()];
      for (int run = 0; run < options.warmup() + options.runs(); run++) {
        comm.barrier();
        long nanos = clock.time(() -> once(layer, x_GD, rows_E, grouped, upstream_GD, inputs));
        if (run >= options.warmup()) {
          times[run - options.warmup()] = nanos / 1e6;
        }
      }
      return times;
    }
  }

  /**
   * One forward (and backward) over rows {@code x_GD} in expert order, {@code rows_E[e]} each:
   * grouped as they are, or batched as [E, R, D] (a view made under the run's grad mode, so that
   * the input's gradient is computed as the modes compute it).
   */
  private static void once(
      BenchLayer layer,
      NDArray x_GD,
      long[] rows_E,
      boolean grouped,
      NDArray upstream_GD,
      NDManager m) {
    try (NDManager scope = m.newSubManager();
        GradMode grad = upstream_GD != null ? GradMode.enabled() : GradMode.disabled()) {
      x_GD.tempAttach(scope);
      layer.natives.tensors().forEach(t -> t.tempAttach(scope));
      NDArray y =
          layer.function.forward(
              grouped
                  ? ExpertGroup.grouped(x_GD, layer.natives, rows_E)
                  : ExpertGroup.batched(
                      x_GD.reshape(new Shape(rows_E.length, rows_E[0], x_GD.getShape().get(1))),
                      layer.natives));
      if (upstream_GD != null) {
        upstream_GD.tempAttach(scope);
        Gradients.backward(y, upstream_GD.reshape(y.getShape()));
      }
    }
  }
}
