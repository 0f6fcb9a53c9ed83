package ai.llep.trainer.optim;

import static ai.llep.trainer.optim.ShardingTestParams.gradients;
import static ai.llep.trainer.optim.ShardingTestParams.replicatedElements;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bf16 ZeRO-1 ({@link ShardedAdamW#withBf16Masters}) against float32 AdamW over all parameters:
 * after every step each rank's replicated parameters are bfloat16 and hold bf16 of the reference's
 * float32 weights (so every rank the same bits), the gathered masters are the reference's bits, and
 * a rank holds 2 bytes of weights per replicated element and 12 bytes of masters and moments per
 * element of its chunk.
 */
class ShardedAdamWMastersTest {
  private static final AdamWConfig CONFIG = new AdamWConfig(0.9, 0.95, 1e-8, 0.1);
  private static final double[] LRS = {2e-2, 1e-2, 5e-3};

  /** What a rank reports: its replicated weights' bytes and its optimizer state's. */
  private record Held(long weightBytes, long replicatedStateBytes, long chunkElements) {}

  @ParameterizedTest(name = "{0} ranks")
  @ValueSource(ints = {2, 3})
  void keepsBf16WeightsOfTheMastersTheReplicatedOptimizerComputes(int world) throws Exception {
    List<Held> heldByRank =
        ShardingWorld.run(
            world,
            (rank, comm, manager, params) -> {
              List<OptimParam> replicated = params.replicated();
              List<OptimParam> sharded = params.sharded();
              List<OptimParam> reference = params.reference();
              try (ShardedAdamW zero =
                      ShardedAdamW.withBf16Masters(replicated, sharded, CONFIG, comm);
                  AdamW plain = new AdamW(reference, CONFIG)) {
                for (OptimParam p : replicated) {
                  assertEquals(DataType.BFLOAT16, Aten.dtype(p.array()), p.name());
                }
                for (int step = 0; step < LRS.length; step++) {
                  try (NDManager scope = manager.newSubManager()) {
                    zero.step(LRS[step], gradients(scope, reference, step, rank));
                    plain.step(LRS[step], gradients(scope, reference, step, rank));
                    for (int i = 0; i < replicated.size(); i++) {
                      NDArray expected = reference.get(i).array();
                      assertArrayEquals(
                          bf16(expected),
                          Aten.cast(replicated.get(i).array(), DataType.FLOAT32).toFloatArray(),
                          "rank " + rank + ", r" + i + " after step " + step);
                    }
                    OptimParam expert = sharded.getFirst();
                    assertArrayEquals(
                        reference.getLast().array().toFloatArray(),
                        expert.array().toFloatArray(),
                        "rank " + rank + ", its expert after step " + step);
                    Map<String, NDArray> masters = zero.gatherMasters(scope, 0);
                    assertEquals(rank == 0 ? replicated.size() : 0, masters.size());
                    for (int i = 0; rank == 0 && i < replicated.size(); i++) {
                      assertArrayEquals(
                          reference.get(i).array().toFloatArray(),
                          masters.get("r" + i).toFloatArray(),
                          "gathered masters of r" + i + " after step " + step);
                    }
                  }
                }
                long weightBytes = 0;
                for (OptimParam p : replicated) {
                  weightBytes += Aten.dtype(p.array()).getNumOfBytes() * p.array().size();
                }
                long state =
                    zero.stateBytes().entrySet().stream()
                        .filter(e -> e.getKey().startsWith("r"))
                        .mapToLong(Map.Entry::getValue)
                        .sum();
                long held =
                    zero.heldSlices().values().stream()
                        .mapToLong(ElementPartition.Slice::length)
                        .sum();
                return new Held(weightBytes, state, held);
              }
            });
    long elements = replicatedElements();
    long chunk = (elements + world - 1) / world;
    long heldOverRanks = 0;
    for (int rank = 0; rank < world; rank++) {
      Held held = heldByRank.get(rank);
      assertEquals(2 * elements, held.weightBytes(), "rank " + rank + ": bf16 weights, 2 B each");
      assertEquals(
          3 * Float.BYTES * held.chunkElements(),
          held.replicatedStateBytes(),
          "rank " + rank + ": float32 masters and two moments of its chunk, 12 B each");
      assertTrue(held.chunkElements() <= chunk, "rank " + rank);
      // A leaf's gradient has its dtype (AtenReplaceDataTest): as many bytes as the weights.
      long perRank = 2 * held.weightBytes() + held.replicatedStateBytes();
      long before = (4 + 4) * elements + 2 * Float.BYTES * chunk;
      assertTrue(
          perRank <= (2 + 2) * elements + 12 * chunk && perRank < before,
          "rank " + rank + ": " + perRank + " B, without sharded masters " + before + " B");
      heldOverRanks += held.chunkElements();
    }
    assertEquals(elements, heldOverRanks, "every element's master held once");
  }

  private static float[] bf16(NDArray float32) {
    try (NDArray rounded = Aten.cast(float32, DataType.BFLOAT16);
        NDArray back = Aten.cast(rounded, DataType.FLOAT32)) {
      return back.toFloatArray();
    }
  }
}
