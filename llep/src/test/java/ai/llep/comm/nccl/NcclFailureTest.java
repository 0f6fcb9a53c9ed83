package ai.llep.comm.nccl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.CommException;
import ai.llep.comm.ReduceOp;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The watchdog: silent peers, NCCL's asynchronous errors, initialisation and shutdown. */
class NcclFailureTest {
  @Test
  void aSilentPeerTimesOutAbortsAndNamesTheOperation() throws Exception {
    try (FakeWorld world = FakeWorld.start(2, FakeWorld.options(Duration.ofMillis(400)))) {
      Future<CommException> waiting =
          world.runOn(
              0,
              (rank, comm, manager) ->
                  assertThrows(
                      CommException.class,
                      () -> comm.allReduce(manager.ones(new Shape(3)), ReduceOp.SUM)));
      CommException e = waiting.get(10, TimeUnit.SECONDS);
      assertEquals(
          "rank 0: all-reduce timed out after 400ms: a peer died, stopped answering or called"
              + " another collective; the NCCL communicator was aborted",
          e.getMessage());
      assertTrue(world.nccl.rank(0).aborted());
      CommException refused = assertThrows(CommException.class, () -> world.comm(0).barrier());
      assertTrue(
          refused.getMessage().startsWith("rank 0: barrier refused after an earlier failure"),
          refused.getMessage());
    }
  }

  @Test
  void workLeftInFlightTimesOutUnderTheWatchdogAndTheNextCallSaysSo() throws Exception {
    try (FakeWorld world = FakeWorld.start(2, FakeWorld.options(Duration.ofMillis(300)))) {
      world.nccl.rank(0).orderLaterUses();
      Future<CommException> waiting =
          world.runOn(
              0,
              (rank, comm, manager) -> {
                long started = System.nanoTime();
                NDArray sent = manager.ones(new Shape(4, 2));
                NDArray received = comm.allToAllV(sent, new long[] {2, 2}, new long[] {2, 2});
                assertTrue(System.nanoTime() - started < 250_000_000L, "returned without waiting");
                assertEquals(new Shape(4, 2), received.getShape());
                while (!world.nccl.rank(0).aborted()) {
                  Thread.sleep(10);
                }
                return assertThrows(CommException.class, comm::barrier);
              });
      CommException e = waiting.get(10, TimeUnit.SECONDS);
      assertEquals(
          "rank 0: all-to-all-v timed out after 300ms: a peer died, stopped answering or called"
              + " another collective; the NCCL communicator was aborted",
          e.getMessage());
      CommException refused = assertThrows(CommException.class, () -> world.comm(0).barrier());
      assertTrue(
          refused.getMessage().startsWith("rank 0: barrier refused after an earlier failure"),
          refused.getMessage());
    }
  }

  @Test
  void anAsynchronousErrorCarriesNcclsOwnMessage() throws Exception {
    try (FakeWorld world = FakeWorld.start(2, FakeWorld.options(Duration.ofSeconds(10)))) {
      world.nccl.rank(1).failAsync(NcclResult.REMOTE_ERROR, "peer 0 closed the connection");
      Future<CommException> failing =
          world.runOn(
              1,
              (rank, comm, manager) ->
                  assertThrows(
                      CommException.class, () -> comm.allGather(manager.ones(new Shape(2)))));
      assertEquals(
          "rank 1: all-gather failed in NCCL: ncclRemoteError (fake description of"
              + " ncclRemoteError): peer 0 closed the connection",
          failing.get(10, TimeUnit.SECONDS).getMessage());
      assertTrue(world.nccl.rank(1).aborted());
    }
  }

  @Test
  void initialisationWithoutThePeersTimesOut() throws Exception {
    try (FakeWorld world = FakeWorld.unconnected(2)) {
      NcclOptions options = new NcclOptions(Duration.ofSeconds(5), Duration.ofMillis(300), "");
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  java.util.concurrent.Executors.newSingleThreadExecutor()
                      .submit(world.connector(0, options))
                      .get(10, TimeUnit.SECONDS));
      assertTrue(e.getCause() instanceof CommException, e.toString());
      assertEquals(
          "rank 0: NCCL initialisation timed out after 300ms: a peer died, stopped answering or"
              + " called another collective; the NCCL communicator was aborted",
          e.getCause().getMessage());
    }
  }

  @Test
  void closeFinalizesAndDestroysAHealthyCommunicator() throws Exception {
    FakeWorld world = FakeWorld.start(2, FakeWorld.options(Duration.ofSeconds(10)));
    world.runAll((rank, comm, manager) -> comm.allGather(manager.ones(new Shape(1))));
    NDArray late = world.manager(0).ones(new Shape(1));
    late.detach();
    world.close();
    assertTrue(world.nccl.calls.contains("rank 1 finalize"), world.nccl.calls.toString());
    assertTrue(world.nccl.rank(1).destroyed());
    assertTrue(!world.nccl.rank(1).aborted());
    CommException closed = assertThrows(CommException.class, () -> world.comm(1).allGather(late));
    late.close();
    assertEquals("rank 1: all-gather on a closed communicator", closed.getMessage());
  }

  @Test
  void badCallsFailOnTheCallingRankBeforeReachingNccl() throws Exception {
    try (FakeWorld world = FakeWorld.start(1, FakeWorld.options(Duration.ofSeconds(10)))) {
      NcclCommunicator comm = world.comm(0);
      NDArray x = world.manager(0).ones(new Shape(4, 2));
      IllegalArgumentException split =
          assertThrows(
              IllegalArgumentException.class,
              () -> comm.allToAllV(x, new long[] {3}, new long[] {3}));
      assertEquals(
          "all-to-all-v sendRows [3] sum to 3, but the input has 4 rows", split.getMessage());
      IllegalArgumentException bool =
          assertThrows(IllegalArgumentException.class, () -> comm.allReduce(x.gt(0), ReduceOp.SUM));
      assertEquals("all-reduce cannot reduce boolean", bool.getMessage());
      assertTrue(world.nccl.calls.isEmpty(), world.nccl.calls.toString());
      NDArray sum = comm.allReduce(x, ReduceOp.SUM);
      assertEquals(8f, sum.sum().getFloat());
    }
  }
}
