package ai.llep.comm.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.CommException;
import ai.llep.comm.FaultInjectingCommunicator;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.ReduceOp;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dead, silent and out-of-order peers become errors naming the peer, never hangs. */
class TcpFailureTest {

  @Test
  void aPeerThatClosesMidJobIsNamedByEveryOtherRank() throws Exception {
    try (LocalWorld world = LocalWorld.start(3, LocalWorld.options(Duration.ofSeconds(30)))) {
      long start = System.nanoTime();
      List<LocalWorld.Outcome<Object>> outcomes =
          world.run(
              (rank, comm, manager) -> {
                NDArray x = manager.ones(new Shape(3, 2));
                comm.allReduce(x, ReduceOp.SUM);
                if (rank == 2) {
                  comm.close();
                  return null;
                }
                return comm.allToAllV(x, new long[] {1, 1, 1}, new long[] {1, 1, 1});
              });
      for (int rank = 0; rank < 2; rank++) {
        Throwable error = outcomes.get(rank).error();
        assertInstanceOf(CommException.class, error);
        assertEquals("rank 2 closed the connection during all-to-all-v", error.getMessage());
      }
      assertNull(outcomes.get(2).error());
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "reported quickly");
      CommException again = assertThrows(CommException.class, () -> world.comm(0).barrier());
      assertEquals(
          "rank 0: barrier refused after an earlier failure: rank 2 closed the connection during"
              + " all-to-all-v",
          again.getMessage());
    }
  }

  @Test
  void aSilentPeerTimesOutNamingIt() throws Exception {
    try (LocalWorld world = LocalWorld.start(3, LocalWorld.options(Duration.ofMillis(500)))) {
      long start = System.nanoTime();
      List<LocalWorld.Outcome<Object>> outcomes =
          world.run(
              (rank, comm, manager) -> {
                if (rank == 1) {
                  Thread.sleep(1500);
                  return null;
                }
                return comm.allReduce(manager.ones(new Shape(3)), ReduceOp.MAX);
              });
      for (int rank : new int[] {0, 2}) {
        assertEquals(
            "timed out after 500ms waiting for rank 1 in all-reduce",
            outcomes.get(rank).error().getMessage());
      }
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(4).toNanos());
    }
  }

  @Test
  void closeWakesAWaitingCollective() throws Exception {
    try (LocalWorld world = LocalWorld.start(2, LocalWorld.options(Duration.ofSeconds(30)))) {
      List<LocalWorld.Outcome<NDArray>> outcomes =
          world.run(
              (rank, comm, manager) -> {
                if (rank == 1) {
                  Thread.sleep(200);
                  long start = System.nanoTime();
                  world.comm(0).close();
                  assertTrue(System.nanoTime() - start < Duration.ofSeconds(2).toNanos());
                  return null;
                }
                return comm.allReduce(manager.ones(new Shape(2)), ReduceOp.SUM);
              });
      assertEquals(
          "the communicator was closed during all-reduce", outcomes.get(0).error().getMessage());
      assertNull(outcomes.get(1).error());
    }
  }

  @Test
  void mismatchedCollectiveOrderIsReported() throws Exception {
    try (LocalWorld world = LocalWorld.start(2, LocalWorld.options(Duration.ofSeconds(10)))) {
      List<LocalWorld.Outcome<NDArray>> outcomes =
          world.run(
              (rank, comm, manager) -> {
                NDArray x = manager.ones(new Shape(2));
                return rank == 0 ? comm.allReduce(x, ReduceOp.SUM) : comm.allGather(x);
              });
      assertEquals(
          "collective order mismatch: rank 0 is in all-reduce #1, but rank 1 sent all-gather #1",
          outcomes.get(0).error().getMessage());
      assertEquals(
          "collective order mismatch: rank 1 is in all-gather #1, but rank 0 sent all-reduce #1",
          outcomes.get(1).error().getMessage());
    }
  }

  @Test
  void mismatchedShapesNameTheSender() throws Exception {
    try (LocalWorld world = LocalWorld.start(2, LocalWorld.options(Duration.ofSeconds(10)))) {
      List<LocalWorld.Outcome<NDArray>> outcomes =
          world.run((rank, comm, manager) -> comm.allGather(manager.ones(new Shape(2, 1 + rank))));
      assertEquals(
          "rank 1 sent (2, 2) float32 in all-gather #1, but rank 0 expects (2, 1) float32",
          outcomes.get(0).error().getMessage());
    }
  }

  @Test
  void faultInjectionFailsOneRankAndTheOthersNameIt() throws Exception {
    try (LocalWorld world = LocalWorld.start(3, LocalWorld.options(Duration.ofSeconds(30)))) {
      List<LocalWorld.Outcome<NDArray>> outcomes =
          world.run(
              (rank, comm, manager) -> {
                var faulty = new FaultInjectingCommunicator(comm, 1);
                try {
                  return faulty.allGather(manager.ones(new Shape(2)));
                } catch (IllegalStateException e) {
                  faulty.close(); // what the failing process's exit does to its sockets
                  throw e;
                }
              });
      Throwable failed = outcomes.get(1).error();
      assertInstanceOf(IllegalStateException.class, failed);
      assertEquals(
          "debug.fail-rank=1: rank 1 fails at its first collective (all-gather)",
          failed.getMessage());
      for (int rank : new int[] {0, 2}) {
        assertEquals(
            "rank 1 closed the connection during all-gather",
            outcomes.get(rank).error().getMessage());
      }
    }
  }

  @Test
  void invalidArgumentsFailBeforeAnyMessage() throws Exception {
    try (LocalWorld world = LocalWorld.start(2, LocalWorld.options(Duration.ofSeconds(10)))) {
      world.runAll(
          (rank, comm, manager) -> {
            NDArray x = manager.ones(new Shape(3, 2));
            IllegalArgumentException e =
                assertThrows(
                    IllegalArgumentException.class,
                    () -> comm.allToAllV(x, new long[] {1, 1}, new long[] {1, 1}));
            assertEquals(
                "all-to-all-v sendRows [1, 1] sum to 2, but the input has 3 rows", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> comm.broadcast(x, 2));
            assertEquals("broadcast root must be in [0, 2), got 2", e.getMessage());
            e =
                assertThrows(
                    IllegalArgumentException.class,
                    () ->
                        comm.sendRecv(
                            List.of(new PeerSend(rank, x)),
                            List.of(new PeerRecv(rank, new Shape(2), DataType.FLOAT32)),
                            manager));
            assertEquals(
                "send-recv: rank " + rank + " sends itself (3, 2) float32 but expects (2) float32",
                e.getMessage());
            // The communicator is still usable: the bad call sent nothing.
            comm.barrier();
            return null;
          });
    }
  }
}
