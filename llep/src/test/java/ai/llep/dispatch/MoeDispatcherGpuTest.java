package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.nccl.GpuRanks;
import ai.llep.comm.nccl.NcclAvailability;
import ai.llep.comm.nccl.NcclCommunicator;
import ai.llep.comm.nccl.NcclOptions;
import ai.llep.device.CudaRuntime;
import ai.llep.plan.DispatchMode;
import ai.llep.plan.ExpertPlacement;
import ai.llep.plan.Planner;
import ai.llep.plan.PlannerOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * EP and LLEP dispatch over NCCL on real GPUs (one rank per GPU, up to two, as threads of this
 * JVM), with separate and with stacked experts, against the dense float64 reference on the host:
 * output, input, router and expert gradients. Skipped where CUDA, a GPU, NCCL or a CUDA libtorch is
 * missing.
 */
@Tag("gpu")
class MoeDispatcherGpuTest {
  private static final int ROUNDS = 8;

  @Test
  void matchesTheDenseReferenceOnGpus() throws Exception {
    NcclAvailability availability = NcclAvailability.check("", 0);
    assumeTrue(availability.usable(), "NCCL unusable here: missing " + availability.missing());
    int size = Math.min(2, CudaRuntime.load().deviceCount());
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    List<Case> cases = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      boolean stacked = round % 2 == 1;
      MoeDispatcherTest.Case drawn = MoeDispatcherTest.Case.random(random, size, stacked ? 3 : 1);
      cases.add(
          new Case(
              round == 1 ? drawn.withSmallColdExperts() : drawn,
              stacked,
              stacked ? new long[] {1024, 6}[round / 2 % 2] : 0));
    }
    List<DispatchMode> modes = List.of(DispatchMode.EP, DispatchMode.LLEP);
    MoeDispatcherTest.RankResult[][][] results =
        new MoeDispatcherTest.RankResult[ROUNDS][modes.size()][size];
    GpuRanks.run(
        size,
        Duration.ofSeconds(300),
        (world, store) -> {
          NcclOptions options = new NcclOptions(Duration.ofSeconds(60), Duration.ofSeconds(60), "");
          try (NcclCommunicator comm = NcclCommunicator.create(world, store, options);
              NDManager manager = NDManager.newBaseManager(Device.gpu(world.rank()), "PyTorch")) {
            for (int round = 0; round < ROUNDS; round++) {
              Case c = cases.get(round);
              for (int m = 0; m < modes.size(); m++) {
                MoeDispatcher dispatcher = c.dispatcher(size, modes.get(m));
                results[round][m][world.rank()] =
                    MoeDispatcherTest.runRank(
                        c.layer, world.rank(), comm, manager, dispatcher, c.stacked);
              }
            }
          }
        });
    long spilled = 0;
    long batched = 0;
    try (NDManager host = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      for (int round = 0; round < ROUNDS; round++) {
        Case c = cases.get(round);
        for (int m = 0; m < modes.size(); m++) {
          List<MoeDispatcherTest.RankResult> perRank = List.of(results[round][m]);
          String label = "seed " + seed + " round " + round + " " + c + " mode " + modes.get(m);
          MoeDispatcherTest.compare(host, c.layer, perRank, label);
          for (MoeDispatcherTest.RankResult r : perRank) {
            batched += r.batched();
            spilled += modes.get(m) == DispatchMode.LLEP ? r.spilled() : 0;
          }
        }
      }
    }
    assertTrue(batched > 0, "seed " + seed + ": no expert ran in a batch");
    if (size > 1) {
      assertTrue(spilled > 0, "seed " + seed + ": LLEP never spilled, so it was not tested");
    }
  }

  /** One layer and routing, with the experts separate or stacked. */
  private record Case(MoeDispatcherTest.Case layer, boolean stacked, long batchRows) {
    MoeDispatcher dispatcher(int ranks, DispatchMode mode) {
      PlannerOptions options =
          new PlannerOptions(1.0, layer.minTokens(), 1.0, PlannerOptions.Variant.DEFAULT);
      return new MoeDispatcher(
          new ExpertPlacement(layer.experts(), ranks),
          Planner.create(mode, options),
          DispatchPhases.NONE,
          batchRows);
    }

    @Override
    public String toString() {
      return layer + (stacked ? " stacked, batch rows " + batchRows : " separate");
    }
  }
}
