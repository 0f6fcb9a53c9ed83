package ai.llep.dispatch;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.AbiVersion;
import ai.llep.aten.Aten;
import ai.llep.comm.nccl.GpuRanks;
import ai.llep.comm.nccl.NcclAvailability;
import ai.llep.comm.nccl.NcclCommunicator;
import ai.llep.comm.nccl.NcclOptions;
import ai.llep.device.CudaRuntime;
import ai.llep.plan.DispatchMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * EP and LLEP dispatch over NCCL on real GPUs (one rank per GPU, up to two, as threads of this JVM)
 * against the dense float64 reference on the host: output, input, router and every expert tensor's
 * gradient, for both test expert functions. Skipped where CUDA, a GPU, NCCL or a CUDA libtorch is
 * missing.
 *
 * <ul>
 *   <li>{@link #float32MatchesTheDenseReference}: float32 batched GEMM chains (every round), and
 *       where libtorch has {@code aten::_grouped_mm} (2.8 and later) also forced grouped calls;
 *       within 1e-5 of the reference, so any wrong offset, layout or stride of the grouped GEMM (a
 *       transposed view of the stack, borrowed experts joined to the native ones) shows.
 *   <li>{@link #bfloat16GroupedGemmsMatchTheDenseReference}: bfloat16 with {@link ExpertGemm#AUTO},
 *       which must choose libtorch's fast grouped kernel (compute capability 9.x or 10.x, libtorch
 *       2.8 or later; skipped elsewhere, with the reason), within 3e-2 of the reference computed in
 *       float64 from the same bfloat16-rounded inputs and weights. D and F are multiples of 8, as
 *       the kernel's 16-byte alignment needs.
 * </ul>
 */
@Tag("gpu")
class MoeDispatcherGpuTest {
  private static final int ROUNDS = 8;
  private static final AbiVersion GROUPED_MM = new AbiVersion(2, 8, 0);

  @Test
  void float32MatchesTheDenseReference() throws Exception {
    int size = gpus();
    boolean groupedMm = Aten.libtorchVersion().atLeast(GROUPED_MM);
    List<Round> rounds = new ArrayList<>();
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < ROUNDS; round++) {
      MoeDispatcherTest.Kind kind = MoeDispatcherTest.Kind.values()[round % 2];
      MoeDispatcherTest.Case drawn = MoeDispatcherTest.Case.random(random, size, 3, kind);
      ExpertGemm gemm = groupedMm && round >= ROUNDS / 2 ? ExpertGemm.GROUPED : ExpertGemm.BATCHED;
      rounds.add(
          new Round(
              round < 2 ? drawn.withSmallColdExperts() : drawn.aligned(4),
              gemm,
              new long[] {1024, 6}[round / 2 % 2]));
    }
    Totals totals = run(size, rounds, DataType.FLOAT32, 1e-5, seed);
    assertTrue(totals.batched > 0, "seed " + seed + ": no expert ran in a batch");
    if (groupedMm) {
      assertTrue(totals.grouped > 0, "seed " + seed + ": no expert ran in a grouped call");
    }
  }

  @Test
  void bfloat16GroupedGemmsMatchTheDenseReference() throws Exception {
    int size = gpus();
    assumeTrue(
        Aten.libtorchVersion().atLeast(GROUPED_MM),
        "libtorch " + Aten.libtorchVersion() + " has no aten::_grouped_mm");
    int capability = CudaRuntime.load().computeCapability(0);
    assumeTrue(
        capability >= 90 && capability < 110,
        "compute capability " + capability + " has no fast grouped GEMM");
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    List<Round> rounds = new ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      MoeDispatcherTest.Kind kind = MoeDispatcherTest.Kind.values()[round % 2];
      MoeDispatcherTest.Case drawn = MoeDispatcherTest.Case.random(random, size, 3, kind);
      rounds.add(
          new Round(
              (round < 2 ? drawn.withSmallColdExperts() : drawn).aligned(8).unclamped(),
              ExpertGemm.AUTO,
              MoeDispatcher.DEFAULT_BATCH_ROWS));
    }
    Totals totals = run(size, rounds, DataType.BFLOAT16, 3e-2, seed);
    assertTrue(totals.batched == 0, "seed " + seed + ": AUTO ran batched GEMMs in bfloat16");
    assertTrue(totals.grouped > 0, "seed " + seed + ": no expert ran in a grouped call");
  }

  private static int gpus() {
    NcclAvailability availability = NcclAvailability.check("", 0);
    assumeTrue(availability.usable(), "NCCL unusable here: missing " + availability.missing());
    return Math.min(2, CudaRuntime.load().deviceCount());
  }

  private record Round(MoeDispatcherTest.Case layer, ExpertGemm gemm, long batchRows) {
    @Override
    public String toString() {
      return layer + " gemm " + gemm + " batch rows " + batchRows;
    }
  }

  private static final class Totals {
    long batched;
    long grouped;
    long spilled;
  }

  private static Totals run(
      int size, List<Round> rounds, DataType type, double tolerance, long seed) throws Exception {
    List<DispatchMode> modes = List.of(DispatchMode.EP, DispatchMode.LLEP);
    MoeDispatcherTest.RankResult[][][] results =
        new MoeDispatcherTest.RankResult[rounds.size()][modes.size()][size];
    GpuRanks.run(
        size,
        Duration.ofSeconds(300),
        (world, store) -> {
          NcclOptions options = new NcclOptions(Duration.ofSeconds(60), Duration.ofSeconds(60), "");
          try (NcclCommunicator comm = NcclCommunicator.create(world, store, options);
              NDManager manager = NDManager.newBaseManager(Device.gpu(world.rank()), "PyTorch")) {
            for (int r = 0; r < rounds.size(); r++) {
              Round round = rounds.get(r);
              for (int m = 0; m < modes.size(); m++) {
                MoeDispatcher dispatcher =
                    round.layer().dispatcher(size, modes.get(m), round.gemm(), round.batchRows());
                results[r][m][world.rank()] =
                    MoeDispatcherTest.runRank(
                        round.layer(), world.rank(), comm, manager, dispatcher, type);
              }
            }
          }
        });
    Totals totals = new Totals();
    try (NDManager host = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
      for (int r = 0; r < rounds.size(); r++) {
        for (int m = 0; m < modes.size(); m++) {
          List<MoeDispatcherTest.RankResult> perRank = List.of(results[r][m]);
          String label =
              "seed " + seed + " round " + r + " " + rounds.get(r) + " mode " + modes.get(m);
          MoeDispatcherTest.compare(host, rounds.get(r).layer(), perRank, type, tolerance, label);
          for (MoeDispatcherTest.RankResult result : perRank) {
            totals.batched += result.batched();
            totals.grouped += result.grouped();
            totals.spilled += modes.get(m) == DispatchMode.LLEP ? result.spilled() : 0;
          }
        }
      }
    }
    if (size > 1) {
      assertTrue(totals.spilled > 0, "seed " + seed + ": LLEP never spilled, so it was not tested");
    }
    return totals;
  }
}
