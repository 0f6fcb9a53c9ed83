package ai.llep.trainer.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.dispatch.DispatchStats;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.ExpertStack;
import ai.llep.dispatch.MoeDispatcher;
import ai.llep.models.experts.ExpertKind;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.reference.DenseMoeReference;
import ai.llep.trainer.routing.RoutingGenerator;
import ai.llep.trainer.routing.RoutingScenario;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The verify command: for every (scenario, top-k, mode), one MoE layer forward and backward across
 * the ranks, compared on rank 0 with the dense single-process reference on the gathered inputs and
 * weights. Every rank returns the same verdict.
 */
public final class VerifyRunner {
  private final Communicator comm;
  private final VerifyOptions options;
  private final PrintStream out;

  public VerifyRunner(Communicator comm, VerifyOptions options, PrintStream out) {
    this.comm = comm;
    this.options = options;
    this.out = out;
  }

  /** Runs every case; returns the largest relative error (on every rank). */
  public double run(NDManager manager) {
    ExpertPlacement placement = new ExpertPlacement(options.experts(), comm.worldSize());
    if (comm.rank() == 0) {
      out.printf(
          Locale.ROOT,
          "expert function %s: %d experts, D=%d, F=%d%s%n",
          options.expertFunction().label(),
          options.experts(),
          options.hidden(),
          options.ffn(),
          options.expertFunction() == ExpertKind.SWIGLU && options.bias() ? ", with biases" : "");
    }
    int cases = options.scenarios().size() * options.topKs().size() * options.modes().size();
    int index = 0;
    double worst = 0;
    for (RoutingScenario scenario : options.scenarios()) {
      for (int topK : options.topKs()) {
        for (DispatchMode mode : options.modes()) {
          index++;
          MoeDispatcher dispatcher =
              new MoeDispatcher(placement, Planner.create(mode, options.planner()), function());
          try (NDManager scope = manager.newSubManager()) {
            String label =
                String.format(
                    Locale.ROOT,
                    "case %d/%d: imbalance=%s top-k=%d mode=%s",
                    index,
                    cases,
                    scenario.label(),
                    topK,
                    mode.name().toLowerCase(Locale.ROOT));
            worst = Math.max(worst, runCase(scope, dispatcher, scenario, topK, label));
          }
        }
      }
    }
    try (NDManager scope = manager.newSubManager();
        NDArray shared = comm.allReduce(scope.create(new double[] {worst}), ReduceOp.MAX)) {
      return shared.getDouble(0);
    }
  }

  private ExpertFunction function() {
    return options.expertFunction().function(options.hidden(), options.ffn(), options.bias());
  }

  private double runCase(
      NDManager scope, MoeDispatcher dispatcher, RoutingScenario scenario, int topK, String label) {
    int rank = comm.rank();
    int worldSize = comm.worldSize();
    int tokens = options.tokensOn(rank, worldSize);
    LayerFixture fixture =
        new LayerFixture(
            options.seed(), options.experts(), options.hidden(), options.ffn(), options.dataType());
    ExpertPlacement placement = dispatcher.placement();
    ExpertKind kind = options.expertFunction();
    List<Shape> shapes = dispatcher.experts().expertShapes();
    List<NDList> columns = new ArrayList<>();
    shapes.forEach(s -> columns.add(new NDList()));
    int first = placement.firstExpert(rank);
    for (int e = first; e < first + placement.expertsPerRank(); e++) {
      List<NDArray> expert = fixture.expert(scope, e, kind, shapes);
      for (int i = 0; i < shapes.size(); i++) {
        columns.get(i).add(expert.get(i));
      }
    }
    List<NDArray> stacked = new ArrayList<>();
    columns.forEach(c -> stacked.add(NDArrays.stack(c)));
    long[] experts_S =
        new RoutingGenerator(options.experts(), topK).route(scenario, tokens, rank, options.seed());
    NDArray x_TD = fixture.tokens_TD(scope, tokens, rank);
    NDArray upstream_TD = fixture.upstream_TD(scope, tokens, rank);
    NDArray router_ND = fixture.router_ND(scope);

    DistributedLayerRun.Result result =
        DistributedLayerRun.run(
            comm,
            dispatcher,
            x_TD,
            router_ND,
            options.router(),
            experts_S,
            topK,
            new ExpertStack(stacked),
            upstream_TD);

    RankGather gather = new RankGather(comm, options, worldSize);
    List<NDArray> weights_N = new ArrayList<>();
    List<NDArray> grads_N = new ArrayList<>();
    for (int i = 0; i < stacked.size(); i++) {
      weights_N.add(gather.experts(stacked.get(i).stopGradient()));
      grads_N.add(gather.experts(result.expertGrads().get(i)));
    }
    NDArray allX = gather.rows(x_TD.stopGradient());
    NDArray allChoices = gather.rows(scope.create(experts_S, new Shape(tokens, topK)));
    NDArray allUpstream = gather.rows(upstream_TD);
    NDArray allOutput = gather.rows(result.output_TD());
    NDArray allInputGrad = gather.rows(result.inputGrad_TD());

    double worst = 0;
    if (rank == 0) {
      DenseMoeReference.Result ref =
          DenseMoeReference.run(
              scope,
              dispatcher.experts(),
              allX,
              router_ND.stopGradient(),
              allChoices,
              weights_N,
              allUpstream);
      List<ErrorRow> rows = new ArrayList<>();
      rows.add(ErrorRow.compare("output", allOutput, ref.output_TD()));
      rows.add(ErrorRow.compare("input-grad", allInputGrad, ref.inputGrad_TD()));
      if (options.router()) {
        rows.add(ErrorRow.compare("router-grad", result.routerGrad_ND(), ref.routerGrad_ND()));
      }
      List<String> names = kind.tensorNames(options.bias());
      for (int i = 0; i < names.size(); i++) {
        rows.add(
            ErrorRow.compare(names.get(i) + "-grad", grads_N.get(i), ref.expertGrads_N().get(i)));
      }
      worst = report(label, result.dispatch().stats(), rows);
    }
    return worst;
  }

  private double report(String label, DispatchStats stats, List<ErrorRow> rows) {
    out.printf(
        Locale.ROOT,
        "%s | loads ep max %d -> %d, imbalance %.3f -> %.3f, spilled slots %d, transfers %d%n",
        label,
        max(stats.loadsBefore()),
        max(stats.loadsAfter()),
        stats.imbalanceBefore(),
        stats.imbalanceAfter(),
        stats.spilledSlots(),
        stats.transfers());
    out.printf(
        Locale.ROOT,
        "  %-16s %14s %14s %14s%n",
        "quantity",
        "max_abs_ref",
        "max_abs_err",
        "max_rel_err");
    double worst = 0;
    for (ErrorRow row : rows) {
      out.printf(
          Locale.ROOT,
          "  %-16s %14.3e %14.3e %14.3e%n",
          row.quantity(),
          row.referenceScale(),
          row.maxAbsError(),
          row.maxRelError());
      worst = Math.max(worst, row.maxRelError());
    }
    return worst;
  }

  private static long max(long[] values) {
    long m = 0;
    for (long v : values) {
      m = Math.max(m, v);
    }
    return m;
  }
}
