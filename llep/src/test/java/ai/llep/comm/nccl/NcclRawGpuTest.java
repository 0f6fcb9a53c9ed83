package ai.llep.comm.nccl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.llep.comm.CommException;
import ai.llep.device.CudaRuntime;
import ai.llep.device.DeviceBuffers;
import ai.llep.device.GpuPresence;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The NCCL binding itself on real GPUs, without DJL (raw cudaMalloc buffers): the unique id by
 * value, the non-blocking config, every call the communicator makes, the stream fence, and the
 * watchdog's abort. One rank per GPU, up to two, as threads. Skipped without CUDA or NCCL.
 */
@Tag("gpu")
class NcclRawGpuTest {
  private int size;
  private CudaRuntime cuda;
  private NcclLibrary nccl;

  @BeforeEach
  void needsNccl() {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    try {
      nccl = NcclLibrary.load("");
    } catch (IllegalStateException e) {
      assumeTrue(false, e.getMessage());
    }
    cuda = CudaRuntime.load();
    size = Math.min(2, cuda.deviceCount());
  }

  /** What one rank runs with its driver and buffers. */
  private interface Body {
    void run(int rank, NcclDriver driver, DeviceBuffers memory) throws Exception;
  }

  private void onEveryRank(Duration timeout, Body body) throws Exception {
    GpuRanks.run(
        size,
        Duration.ofSeconds(180),
        (world, store) -> {
          int rank = world.rank();
          DeviceQueue queue = new CudaDeviceQueue(cuda, rank);
          byte[] id = UniqueIdExchange.exchange(nccl, world, store, Duration.ofSeconds(30));
          NcclDriver driver =
              NcclDriver.start(nccl, queue, rank, size, id, timeout, Duration.ofSeconds(60));
          try {
            body.run(rank, driver, new DeviceBuffers(cuda));
          } finally {
            driver.shutdown(Duration.ofSeconds(30));
            queue.close();
          }
        });
  }

  @Test
  void collectivesAndGroupedSendRecvMoveTheRightBytes() throws Exception {
    System.out.println(
        "NCCL " + nccl.version() + " from " + nccl.libraryName() + ", " + size + " GPUs");
    onEveryRank(
        Duration.ofSeconds(60),
        (rank, driver, memory) -> {
          long in = memory.allocate(4 * 4);
          long out = memory.allocate(4 * 4 * size);
          memory.upload(in, new float[] {1 + rank, 2 + rank, 3 + rank, 4 + rank});
          long deadline = driver.deadline();
          driver.call(
              "all-reduce", deadline, () -> nccl.allReduce(in, out, 4, 7, 0, driver.comm(), 0));
          driver.complete("all-reduce", deadline);
          float offset = size * (size - 1) / 2f;
          assertArrayEquals(
              new float[] {size + offset, 2 * size + offset, 3 * size + offset, 4 * size + offset},
              memory.download(out, 4));

          deadline = driver.deadline();
          driver.call(
              "all-gather", deadline, () -> nccl.allGather(in, out, 4, 7, driver.comm(), 0));
          driver.complete("all-gather", deadline);
          float[] gathered = memory.download(out, 4 * size);
          assertTrue(gathered[4 * (size - 1)] == size, "rank " + (size - 1) + "'s first value");

          int next = (rank + 1) % size;
          int prev = (rank - 1 + size) % size;
          deadline = driver.deadline();
          driver.group(
              "send-recv",
              deadline,
              List.of(
                  () -> nccl.send(in, 4, 7, next, driver.comm(), 0),
                  () -> nccl.recv(out, 4, 7, prev, driver.comm(), 0)));
          driver.complete("send-recv", deadline);
          assertArrayEquals(
              new float[] {1 + prev, 2 + prev, 3 + prev, 4 + prev}, memory.download(out, 4));

          deadline = driver.deadline();
          driver.call(
              "broadcast", deadline, () -> nccl.broadcast(in, out, 4, 7, 0, driver.comm(), 0));
          driver.complete("broadcast", deadline);
          assertArrayEquals(new float[] {1, 2, 3, 4}, memory.download(out, 4));
          memory.free(in);
          memory.free(out);
        });
  }

  @Test
  void aSilentPeerIsAbortedAtTheDeadline() throws Exception {
    assumeTrue(size == 2, "needs two GPUs");
    onEveryRank(
        Duration.ofSeconds(3),
        (rank, driver, memory) -> {
          long buffer = memory.allocate(1 << 20);
          long deadline = driver.deadline();
          driver.call(
              "warm-up",
              deadline,
              () -> nccl.allReduce(buffer, buffer, 1 << 18, 7, 0, driver.comm(), 0));
          driver.complete("warm-up", deadline);
          if (rank == 1) {
            Thread.sleep(6_000);
            return;
          }
          long start = System.nanoTime();
          CommException e =
              assertThrows(
                  CommException.class,
                  () -> {
                    long d = driver.deadline();
                    driver.call(
                        "all-reduce",
                        d,
                        () -> nccl.allReduce(buffer, buffer, 1 << 18, 7, 0, driver.comm(), 0));
                    driver.complete("all-reduce", d);
                  });
          System.out.println(
              "rank 0 after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e.getMessage());
          assertTrue(e.getMessage().contains("all-reduce timed out after 3s"), e.getMessage());
          assertTrue(driver.aborted());
          cuda.setDevice(0);
          cuda.synchronize();
        });
  }
}
