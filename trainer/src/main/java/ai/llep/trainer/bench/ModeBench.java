package ai.llep.trainer.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.device.PeakMemory;
import ai.llep.dispatch.DispatchPhases;
import ai.llep.dispatch.DispatchResult;
import ai.llep.dispatch.DispatchStats;
import ai.llep.dispatch.MoeDispatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One mode under one scenario on this rank: warm-up and timed runs, then one checked run that
 * measures peak device memory and keeps the output and gradients for the comparison with EP.
 */
final class ModeBench {
  /**
   * This rank's measurements.
   *
   * @param localMs this rank's time of each timed run
   * @param peak peak device memory of the checked run; null on the CPU
   * @param output the checked run's output, attached to the caller's manager
   * @param gradients the checked run's input gradient and the checked experts' weight gradients
   *     (forward-backward only), attached to the caller's manager
   */
  record Measured(
      double[] localMs,
      PeakMemory peak,
      DispatchStats stats,
      NDArray output,
      List<NDArray> gradients) {
    void close() {
      output.close();
      gradients.forEach(NDArray::close);
    }
  }

  private ModeBench() {}

  /**
   * @param tracing the same dispatcher reporting its phases to a timeline
   * @param trace where to write the phase timeline of one extra run; null for none
   */
  static Measured run(
      Communicator comm,
      MoeDispatcher dispatcher,
      BenchLayer layer,
      ScenarioInputs inputs,
      BenchOptions options,
      DeviceClock clock,
      NDManager keep,
      Function<DispatchPhases, MoeDispatcher> tracing,
      Path trace) {
    double[] times = new double[options.runs()];
    for (int run = 0; run < options.warmup() + options.runs(); run++) {
      comm.barrier();
      long nanos =
          clock.time(
              () -> {
                try (NDManager scope = keep.newSubManager()) {
                  LayerStep.run(comm, dispatcher, layer, inputs, scope);
                }
              });
      if (run >= options.warmup()) {
        times[run - options.warmup()] = nanos / 1e6;
      }
    }
    if (trace != null) {
      comm.barrier();
      clock.sync();
      try (PhaseTimeline timeline = clock.timeline();
          NDManager scope = keep.newSubManager()) {
        LayerStep.run(comm, tracing.apply(timeline), layer, inputs, scope, timeline);
        clock.sync();
        PhaseTimeline.write(trace, timeline.format());
      }
    }
    boolean backward = inputs.upstream_TD() != null;
    if (backward) {
      layer.zeroGradients();
      inputs.zeroGradient();
    }
    comm.barrier();
    try (NDManager scope = keep.newSubManager()) {
      DispatchResult[] result = new DispatchResult[1];
      PeakMemory peak =
          clock.peak(() -> result[0] = LayerStep.run(comm, dispatcher, layer, inputs, scope));
      NDArray output = LayerStep.keep(result[0].output_TD(), keep);
      List<NDArray> gradients = backward ? gradients(layer, inputs, keep) : List.of();
      return new Measured(times, peak, result[0].stats(), output, gradients);
    }
  }

  private static List<NDArray> gradients(BenchLayer layer, ScenarioInputs inputs, NDManager keep) {
    List<NDArray> gradients = new ArrayList<>();
    try (NDArray gradient = inputs.x_TD().getGradient()) {
      gradients.add(LayerStep.keep(gradient, keep));
    }
    List<NDArray> stacked = layer.natives.tensors();
    for (int local : layer.checkedExperts()) {
      for (NDArray tensor : stacked) {
        try (NDArray gradient = tensor.getGradient();
            NDArray expert = gradient.get(local)) {
          gradients.add(LayerStep.keep(expert, keep));
        }
      }
    }
    return gradients;
  }
}
