package ai.llep.trainer.bench;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.dispatch.DispatchPhases;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.trainer.report.PngRendering;
import ai.llep.trainer.routing.RoutingScenario;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The bench command: the compute floor, then every scenario under every mode, each rank holding
 * only its own experts. Every rank takes part in every collective and returns the same report; rank
 * 0 prints progress and the table and writes {@code bench.json} and {@code bench.png}.
 */
public final class BenchRunner {
  private final Communicator comm;
  private final BenchOptions options;
  private final PrintStream out;

  public BenchRunner(Communicator comm, BenchOptions options, PrintStream out) {
    this.comm = comm;
    this.options = options;
    this.out = out;
  }

  /** Runs the benchmark on {@code manager}'s device. */
  public BenchReport run(NDManager manager) {
    LayerShape shape = options.shape();
    ExpertPlacement placement = new ExpertPlacement(shape.experts(), comm.worldSize());
    DeviceClock clock = DeviceClock.of(manager.getDevice());
    List<ScenarioResult> scenarios = new ArrayList<>();
    double[] floorRuns;
    try (BenchLayer layer =
        BenchLayer.create(
            manager,
            shape,
            placement,
            comm.rank(),
            options.dataType(),
            options.seed(),
            options.pass() == BenchPass.FORWARD_BACKWARD)) {
      floorRuns =
          RankTimes.maxOverRanks(
              comm, manager, ComputeFloor.measure(comm, layer, options, clock, manager));
      say(String.format(Locale.ROOT, "compute floor: %.3f ms", RankTimes.median(floorRuns)));
      for (RoutingScenario scenario : options.scenarios()) {
        scenarios.add(scenario(manager, layer, clock, scenario, RankTimes.median(floorRuns)));
      }
    }
    BenchReport report =
        new BenchReport(
            options,
            shape,
            comm.worldSize(),
            manager.getDevice().toString(),
            comm.getClass().getSimpleName(),
            floorRuns,
            RankTimes.median(floorRuns),
            scenarios);
    if (comm.rank() == 0) {
      publish(report);
    }
    return report;
  }

  private ScenarioResult scenario(
      NDManager manager,
      BenchLayer layer,
      DeviceClock clock,
      RoutingScenario scenario,
      double floorMs) {
    try (NDManager keep = manager.newSubManager()) {
      ScenarioInputs inputs = ScenarioInputs.create(keep, layer, scenario, options, comm.rank());
      List<DispatchMode> order = new ArrayList<>(options.modes());
      boolean hasEp = order.remove(DispatchMode.EP);
      if (hasEp) {
        order.addFirst(DispatchMode.EP);
      }
      Map<DispatchMode, ModeResult> results = new EnumMap<>(DispatchMode.class);
      ModeBench.Measured reference = null;
      Double epMedian = null;
      double ceiling = 1;
      for (DispatchMode mode : order) {
        Planner planner = Planner.create(mode, options.planner());
        MoeDispatcher dispatcher =
            new MoeDispatcher(
                layer.placement,
                planner,
                layer.function,
                DispatchPhases.NONE,
                options.batchRows(),
                options.gemm());
        ModeBench.Measured measured =
            ModeBench.run(
                comm,
                dispatcher,
                layer,
                inputs,
                options,
                clock,
                keep,
                dispatcher::withPhases,
                options.trace()
                    ? PhaseTimeline.file(
                        options.output(), scenario.label(), label(mode), comm.rank())
                    : null);
        ceiling = measured.stats().imbalanceBefore();
        if (mode == DispatchMode.EP) {
          reference = measured;
        }
        ModeResult result =
            summarise(manager, mode, measured, reference, epMedian, floorMs, ceiling);
        if (mode == DispatchMode.EP) {
          epMedian = result.medianMs();
        } else {
          measured.close();
        }
        results.put(mode, result);
        say(
            String.format(
                Locale.ROOT,
                "scenario %s, %s: median %.3f ms",
                scenario.label(),
                label(mode),
                result.medianMs()));
      }
      if (reference != null) {
        reference.close();
      }
      return new ScenarioResult(
          scenario.label(), ceiling, options.modes().stream().map(results::get).toList());
    }
  }

  /** Makes one mode's measurements global (slowest rank, worst error, largest peak). */
  private ModeResult summarise(
      NDManager manager,
      DispatchMode mode,
      ModeBench.Measured measured,
      ModeBench.Measured reference,
      Double epMedian,
      double floorMs,
      double ceiling) {
    double[] runs = RankTimes.maxOverRanks(comm, manager, measured.localMs());
    double outputError = -1;
    double gradientError = -1;
    if (reference != null) {
      outputError = Agreement.maxRelError(measured.output(), reference.output());
      if (!measured.gradients().isEmpty()) {
        gradientError = Agreement.maxRelError(measured.gradients(), reference.gradients());
      }
    }
    double peak = measured.peak() == null ? -1 : measured.peak().peakBytes();
    double[] worst =
        RankTimes.maxOverRanks(comm, manager, new double[] {outputError, gradientError, peak});
    double median = RankTimes.median(runs);
    Double speedup = epMedian == null ? (mode == DispatchMode.EP ? 1.0 : null) : epMedian / median;
    return new ModeResult(
        mode,
        runs,
        median,
        median / floorMs,
        speedup,
        ScenarioResult.reach(speedup, ceiling),
        worst[2] < 0 ? null : (long) worst[2],
        worst[0] < 0 ? null : worst[0],
        worst[1] < 0 ? null : worst[1],
        measured.stats());
  }

  private void publish(BenchReport report) {
    out.print(BenchTable.format(report));
    Path folder = options.output();
    try {
      Files.createDirectories(folder);
      Path json = folder.resolve("bench.json");
      Files.writeString(json, BenchJson.format(report));
      out.println("wrote " + json);
      Path png = folder.resolve("bench.png");
      try {
        BenchChart.write(report, png);
        out.println("wrote " + png);
      } catch (RuntimeException | Error e) {
        if (!PngRendering.isMissingGraphics(e)) {
          throw e;
        }
        out.println("bench.png skipped: " + PngRendering.explain(e));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the bench results to " + folder, e);
    }
  }

  private void say(String line) {
    if (comm.rank() == 0) {
      out.println(line);
      out.flush();
    }
  }

  static String label(DispatchMode mode) {
    return mode.name().toLowerCase(Locale.ROOT);
  }
}
