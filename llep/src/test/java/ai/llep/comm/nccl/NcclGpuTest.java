package ai.llep.comm.nccl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.CommException;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.ReduceOp;
import ai.llep.device.CudaRuntime;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The NCCL communicator on real GPUs: one rank per GPU (up to two) as threads of this JVM. Skipped
 * where the CUDA runtime, a GPU, NCCL or a CUDA libtorch is missing.
 */
@Tag("gpu")
class NcclGpuTest {
  private int size;

  @BeforeEach
  void needsNccl() {
    NcclAvailability availability = NcclAvailability.check("", 0);
    assumeTrue(availability.usable(), "NCCL unusable here: missing " + availability.missing());
    size = Math.min(2, CudaRuntime.load().deviceCount());
  }

  /** What one rank runs. */
  private interface Body {
    void run(int rank, NcclCommunicator comm, NDManager manager) throws Exception;
  }

  private void onEveryRank(Duration timeout, Body body) throws Exception {
    GpuRanks.run(
        size,
        Duration.ofSeconds(120),
        (world, store) -> {
          NcclOptions options = new NcclOptions(timeout, Duration.ofSeconds(60), "");
          try (NcclCommunicator comm = NcclCommunicator.create(world, store, options);
              NDManager manager = NDManager.newBaseManager(Device.gpu(world.rank()), "PyTorch")) {
            body.run(world.rank(), comm, manager);
          }
        });
  }

  @Test
  void collectivesGiveTheDirectResults() throws Exception {
    onEveryRank(
        Duration.ofSeconds(60),
        (rank, comm, m) -> {
          NDArray x = m.arange(0f, 6f).reshape(2, 3).add(10 * rank);
          NDArray gathered = comm.allGather(x);
          assertEquals(new Shape(size, 2, 3), gathered.getShape());
          assertEquals(
              gathered.get(size - 1).toDevice(Device.cpu(), false).getFloat(0, 0),
              10f * (size - 1));
          float expectedSum = 0;
          for (int p = 0; p < size; p++) {
            expectedSum += 10 * p + 5;
          }
          assertEquals(expectedSum, comm.allReduce(x, ReduceOp.SUM).get(1, 2).getFloat());
          NDArray half = x.toType(DataType.FLOAT16, false);
          assertEquals(
              10f * (size - 1) + 5,
              comm.allReduce(half, ReduceOp.MAX)
                  .toType(DataType.FLOAT32, false)
                  .get(1, 2)
                  .getFloat());
          long[] send = new long[size];
          long[] recv = new long[size];
          Arrays.fill(send, 1);
          Arrays.fill(recv, 1);
          NDArray rows = m.ones(new Shape(size, 4)).mul(rank);
          NDArray exchanged = comm.allToAllV(rows, send, recv);
          float[] firstColumn = exchanged.get(":, 0").toFloatArray();
          for (int p = 0; p < size; p++) {
            assertEquals(p, firstColumn[p]);
          }
          assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, comm.broadcast(x, 0).toFloatArray());
          int peer = (rank + 1) % size;
          NDList got =
              comm.sendRecv(
                  List.of(new PeerSend(peer, x)),
                  List.of(new PeerRecv((rank - 1 + size) % size, x.getShape(), DataType.FLOAT32)),
                  m);
          assertEquals(10f * ((rank - 1 + size) % size), got.get(0).getFloat(0, 0));
          comm.barrier();
        });
  }

  @Test
  void aSilentPeerTimesOutWithoutHangingTheDevice() throws Exception {
    assumeTrue(size == 2, "needs two GPUs");
    onEveryRank(
        Duration.ofSeconds(3),
        (rank, comm, m) -> {
          comm.barrier();
          if (rank == 1) {
            Thread.sleep(8_000);
            return;
          }
          long start = System.nanoTime();
          CommException e =
              assertThrows(
                  CommException.class, () -> comm.allReduce(m.ones(new Shape(8)), ReduceOp.SUM));
          assertTrue(e.getMessage().contains("all-reduce timed out after 3s"), e.getMessage());
          assertTrue(System.nanoTime() - start < 20_000_000_000L);
          assertEquals(8f, m.ones(new Shape(8)).sum().getFloat(), "the GPU still runs kernels");
        });
  }
}
