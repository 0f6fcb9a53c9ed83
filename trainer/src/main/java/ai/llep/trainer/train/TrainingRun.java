package ai.llep.trainer.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.models.FiniteValues;
import ai.llep.models.LossOutput;
import ai.llep.models.MoeTransformer;
import ai.llep.models.Parameter;
import ai.llep.models.TokenBatch;
import ai.llep.models.layers.CausalLmLoss;
import ai.llep.models.layers.Segments;
import ai.llep.models.layers.WeightCopies;
import ai.llep.models.moe.RoutingStats;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;
import ai.llep.trainer.data.PackedSequence;
import ai.llep.trainer.data.ShardedBatches;
import ai.llep.trainer.optim.LrSchedule;
import ai.llep.trainer.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The training loop of one rank: micro-batches through the model and the distributed backward,
 * gradient exchange and clipping, AdamW, then reporting and checkpoints. Every rank runs the same
 * steps in lock step; every number in a {@link StepReport} is global. A non-finite gradient norm
 * stops the step before the optimizer applies it; non-finite weights after it, or a non-finite
 * loss, stop it after ({@link NonFiniteStep}, on every rank at once).
 */
final class TrainingRun {
  private static final Logger LOG = LogManager.getLogger(TrainingRun.class);

  /** Called after every step with its report (rank 0 prints and tracks). */
  interface StepListener {
    void onStep(StepReport report);
  }

  private final Communicator comm;
  private final NDManager manager;
  private final TrainSettings settings;
  private final MoeTransformer model;
  private final Optimizer optimizer;
  private final LrSchedule schedule;
  private final ShardedBatches batches;
  private final List<Parameter> trainable;
  private final GradientExchange gradients;
  private final StopRequest stop;
  private final MemoryGauge memory;
  private final StepProfiler profiler;

  TrainingRun(
      Communicator comm,
      NDManager manager,
      TrainSettings settings,
      MoeTransformer model,
      Optimizer optimizer,
      LrSchedule schedule,
      ShardedBatches batches,
      StopRequest stop,
      MemoryGauge memory,
      StepProfiler profiler) {
    this.comm = comm;
    this.profiler = profiler;
    this.stop = stop;
    this.memory = memory;
    this.manager = manager;
    this.settings = settings;
    this.model = model;
    this.optimizer = optimizer;
    this.schedule = schedule;
    this.batches = batches;
    this.trainable = TrainedParameters.trainable(model, settings);
    this.gradients = new GradientExchange(comm, trainable, manager);
  }

  /**
   * One optimizer step (1-based {@code step}); collective. The loss is the mean over every token
   * the step counts, on all ranks and in all micro-batches (as transformers' Trainer normalises
   * gradient accumulation), so each micro-batch's backward starts from its loss sum divided by that
   * one count, known from the labels before any forward. The report says whether any rank was asked
   * to stop, which every rank learns at the same step.
   */
  StepReport step(long step, Consumer<Long> beforeOptimizer) {
    long start = System.nanoTime();
    profiler.begin(step, "batches");
    int gradAccum = settings.loop().gradAccum();
    List<TokenBatch> micro = new ArrayList<>(gradAccum);
    long localTokens = 0;
    long localProcessed = 0;
    for (int i = 0; i < gradAccum; i++) {
      List<PackedSequence> rows = batches.next();
      localProcessed += rows.stream().mapToLong(PackedSequence::length).sum();
      TokenBatch batch = toBatch(rows);
      micro.add(batch);
      localTokens += CausalLmLoss.countedTokens(batch.labels_BS(), batch.segments());
    }
    long tokens = globalSum(localTokens);
    double localLossSum = 0;
    LayerAccumulator layers = new LayerAccumulator();
    // Each micro-batch's loss and routing counts stay on the device until its gradients are
    // absorbed: reading them at once would make the host wait for the backward before it could
    // queue the gradients' copies.
    try (NDManager losses = manager.newSubManager()) {
      List<NDArray> lossSums = new ArrayList<>(micro.size());
      List<List<RoutingStats>> routings = new ArrayList<>(micro.size());
      for (TokenBatch batch : micro) {
        try (WeightCopies copies = WeightCopies.open(gradients.trainedArrays(), manager)) {
          try (NDManager scope = manager.newSubManager();
              GradMode grad = GradMode.enabled()) {
            DistributedTape tape = DistributedTape.training(comm);
            profiler.enter("forward");
            LossOutput out =
                model.loss(tape, scope, batch, settings.loop().activationCheckpointing());
            profiler.enter("backward");
            tape.backward(
                Scalars.divOnce(out.loss().sum(), Math.max(tokens, 1)), profiler.backwardParts());
            NDArray lossSum = out.loss().sum().toType(DataType.FLOAT64, false);
            lossSum.attach(losses);
            lossSums.add(lossSum);
            out.routing().forEach(r -> r.retainIn(losses));
            routings.add(out.routing());
          }
          profiler.enter("absorb");
          gradients.absorb(copies.take());
        }
      }
      for (NDArray lossSum : lossSums) {
        localLossSum += lossSum.getDouble();
      }
      routings.forEach(layers::add);
    }
    beforeOptimizer.accept(step);
    profiler.enter("gradients");
    double lr = schedule.at(step - 1);
    double norm;
    try (NDManager scope = manager.newSubManager()) {
      GradientExchange.StepGradients g = gradients.collect(scope, settings.optim().gradClip());
      norm = g.norm();
      if (!Double.isFinite(norm)) {
        // The norm is global, so every rank stops here; the loss is only for the message.
        throw new NonFiniteStep(
            "step "
                + step
                + ": the gradient norm is "
                + norm
                + " (loss "
                + String.format(Locale.ROOT, "%.6g", globalSum(localLossSum) / Math.max(tokens, 1))
                + "); the step was not applied");
      }
      profiler.enter("optimizer");
      optimizer.step(lr, g.byName());
    }
    profiler.enter("release");
    gradients.zero();
    profiler.enter("check");
    boolean nonFinite = nonFiniteWeights(step);
    profiler.enter("report");
    List<StepReport.LayerLoad> loads = layers.global(comm, manager);
    StepTotals totals =
        StepTotals.reduce(
            comm,
            manager,
            localLossSum,
            localProcessed,
            stop.requested(),
            nonFinite,
            memory.peakBytes());
    double loss = totals.lossSum() / Math.max(tokens, 1);
    if (totals.nonFiniteRanks() > 0) {
      throw new NonFiniteStep(
          "step "
              + step
              + ": the weights of "
              + totals.nonFiniteRanks()
              + " rank(s) hold NaN or infinite values after the optimizer step (loss "
              + String.format(Locale.ROOT, "%.6g", loss)
              + ", gradient norm "
              + String.format(Locale.ROOT, "%.6g", norm)
              + "; each such rank names the tensor in a warning)");
    }
    if (!Double.isFinite(loss)) {
      throw new NonFiniteStep("step " + step + ": the loss is " + loss);
    }
    profiler.end();
    double seconds = (System.nanoTime() - start) / 1e9;
    return new StepReport(
        step,
        loss,
        lr,
        norm,
        tokens,
        totals.processedTokens(),
        seconds,
        loads,
        totals.peakMemoryBytes(),
        totals.stop());
  }

  /** Whether this rank's trainable weights hold a NaN or infinite value (named in a warning). */
  private boolean nonFiniteWeights(long step) {
    int bad = FiniteValues.firstNonFinite(trainable.stream().map(Parameter::array).toList());
    if (bad >= 0) {
      LOG.warn(
          "rank {}: {} holds NaN or infinite values after the optimizer step of step {}",
          comm.rank(),
          trainable.get(bad).name(),
          step);
    }
    return bad >= 0;
  }

  private double globalSum(double local) {
    try (NDManager scope = manager.newSubManager();
        NDArray mine = scope.create(new double[] {local});
        NDArray total = comm.allReduce(mine, ReduceOp.SUM)) {
      return total.toType(DataType.FLOAT64, false).getDouble(0);
    }
  }

  private long globalSum(long local) {
    try (NDManager scope = manager.newSubManager();
        NDArray mine = scope.create(new long[] {local});
        NDArray total = comm.allReduce(mine, ReduceOp.SUM)) {
      return total.getLong(0);
    }
  }

  static TokenBatch toBatch(List<PackedSequence> rows) {
    int[][] ids = new int[rows.size()][];
    int[][] labels = new int[rows.size()][];
    int[][] segments = new int[rows.size()][];
    for (int i = 0; i < rows.size(); i++) {
      ids[i] = rows.get(i).inputIds();
      labels[i] = rows.get(i).labels();
      segments[i] = rows.get(i).segmentLengths();
    }
    return TokenBatch.packed(ids, labels, new Segments(segments));
  }

  /** Sums each MoE layer's routing over the micro-batches of a step, then over ranks. */
  static final class LayerAccumulator {
    private final List<long[]> expertLoads = new ArrayList<>();
    private final List<StepReport.LayerLoad> planned = new ArrayList<>();

    void add(List<RoutingStats> routing) {
      for (int i = 0; i < routing.size(); i++) {
        RoutingStats r = routing.get(i);
        var d = r.dispatch();
        if (i == expertLoads.size()) {
          expertLoads.add(r.localExpertLoad_E().clone());
          planned.add(
              new StepReport.LayerLoad(
                  r.layer(),
                  null,
                  d.loadsBefore().clone(),
                  d.loadsAfter().clone(),
                  d.spilledSlots(),
                  d.weightBytesMoved(),
                  d.frozenBytesMoved(),
                  d.cacheHits()));
        } else {
          long[] sum = expertLoads.get(i);
          for (int e = 0; e < sum.length; e++) {
            sum[e] += r.localExpertLoad_E()[e];
          }
          StepReport.LayerLoad p = planned.get(i);
          planned.set(
              i,
              new StepReport.LayerLoad(
                  p.layer(),
                  null,
                  add(p.rankLoadsBefore(), d.loadsBefore()),
                  add(p.rankLoadsAfter(), d.loadsAfter()),
                  p.spilledSlots() + d.spilledSlots(),
                  p.weightBytesMoved() + d.weightBytesMoved(),
                  p.frozenBytesMoved() + d.frozenBytesMoved(),
                  p.cacheHits() + d.cacheHits()));
        }
      }
    }

    /** One all-reduce of every layer's local expert loads gives the global load vectors. */
    List<StepReport.LayerLoad> global(Communicator comm, NDManager manager) {
      if (expertLoads.isEmpty()) {
        return List.of();
      }
      int experts = expertLoads.getFirst().length;
      long[] flat = new long[expertLoads.size() * experts];
      for (int i = 0; i < expertLoads.size(); i++) {
        System.arraycopy(expertLoads.get(i), 0, flat, i * experts, experts);
      }
      long[] total;
      try (NDManager scope = manager.newSubManager();
          NDArray summed = comm.allReduce(scope.create(flat), ReduceOp.SUM)) {
        total = summed.toLongArray();
      }
      List<StepReport.LayerLoad> out = new ArrayList<>();
      for (int i = 0; i < planned.size(); i++) {
        StepReport.LayerLoad p = planned.get(i);
        long[] loads = java.util.Arrays.copyOfRange(total, i * experts, (i + 1) * experts);
        out.add(
            new StepReport.LayerLoad(
                p.layer(),
                loads,
                p.rankLoadsBefore(),
                p.rankLoadsAfter(),
                p.spilledSlots(),
                p.weightBytesMoved(),
                p.frozenBytesMoved(),
                p.cacheHits()));
      }
      return out;
    }

    private static long[] add(long[] a, long[] b) {
      long[] out = a.clone();
      for (int i = 0; i < out.length; i++) {
        out[i] += b[i];
      }
      return out;
    }
  }
}
