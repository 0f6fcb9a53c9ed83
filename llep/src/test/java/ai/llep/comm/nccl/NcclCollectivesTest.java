package ai.llep.comm.nccl;

import static ai.llep.comm.TestTensors.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.CollectiveCase;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.PendingExchange;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NCCL communicator's logic on CPU: every collective over the in-process fake NCCL against a
 * direct computation, bit for bit (the fake reduces in rank order), and what it posts to NCCL.
 */
class NcclCollectivesTest {
  private static final DataType[] TYPES = {
    DataType.FLOAT32, DataType.FLOAT16, DataType.BFLOAT16, DataType.INT64
  };

  @ParameterizedTest(name = "P={0}")
  @ValueSource(ints = {1, 2, 3})
  void collectivesMatchADirectComputation(int size) throws Exception {
    try (FakeWorld world = FakeWorld.start(size, FakeWorld.options(Duration.ofSeconds(10)))) {
      world.runAll(
          (rank, comm, manager) -> {
            for (int trial = 0; trial < 3; trial++) {
              for (DataType type : TYPES) {
                try (NDManager scope = manager.newSubManager()) {
                  // The fake NCCL has no 16-bit float reduction.
                  new CollectiveCase(size, rank, trial, type, scope)
                      .runAll(comm, type.getNumOfBytes() != 2);
                }
              }
            }
            return null;
          });
      for (String call : world.nccl.calls) {
        assertFalse(call.endsWith(" count=0"), "posted an empty message: " + call);
      }
    }
  }

  @Test
  void aTransposedInputIsSentInItsLogicalOrder() throws Exception {
    try (FakeWorld world = FakeWorld.start(2, FakeWorld.options(Duration.ofSeconds(10)))) {
      world.runAll(
          (rank, comm, manager) -> {
            NDArray x = manager.arange(6f).reshape(2, 3).add(rank * 10).transpose();
            NDArray got = comm.allGather(x);
            NDArray expected =
                NDArrays.stack(
                    new NDList(
                        manager.arange(6f).reshape(2, 3).transpose(),
                        manager.arange(6f).reshape(2, 3).add(10).transpose()));
            assertSameBits(expected, got, "all-gather of a transposed input");
            return null;
          });
    }
  }

  @Test
  void aStartedExchangeReturnsAtOnceAndDeliversAfterItsAwait() throws Exception {
    try (FakeWorld world = FakeWorld.start(2, FakeWorld.options(Duration.ofSeconds(10)))) {
      world.nccl.rank(0).orderLaterUses();
      world.nccl.rank(1).orderLaterUses();
      world.runAll(
          (rank, comm, manager) -> {
            int peer = 1 - rank;
            NDArray mine = manager.arange(6f).reshape(2, 3).add(rank * 100).transpose();
            PendingExchange pending =
                comm.startSendRecv(
                    List.of(new PeerSend(peer, mine)),
                    List.of(new PeerRecv(peer, new Shape(3, 2), DataType.FLOAT32)),
                    manager);
            pending.await();
            comm.barrier();
            NDArray expected = manager.arange(6f).reshape(2, 3).add(peer * 100).transpose();
            assertSameBits(expected, pending.received().getFirst(), "received weights");
            return null;
          });
      assertTrue(
          world.nccl.calls.stream().anyMatch(c -> c.equals("rank 0 send peer=1 count=6")),
          world.nccl.calls.toString());
    }
  }

  @Test
  void allToAllVPostsOnlyNonEmptyMessages() throws Exception {
    try (FakeWorld world = FakeWorld.start(3, FakeWorld.options(Duration.ofSeconds(10)))) {
      world.runAll(
          (rank, comm, manager) -> {
            long[][] rows = {{2, 0, 1}, {0, 0, 0}, {1, 3, 0}};
            long[] recv = {rows[0][rank], rows[1][rank], rows[2][rank]};
            long total = rows[rank][0] + rows[rank][1] + rows[rank][2];
            NDArray x = manager.ones(new Shape(total, 4)).mul(rank);
            NDArray got = comm.allToAllV(x, rows[rank], recv);
            assertEquals(new Shape(recv[0] + recv[1] + recv[2], 4), got.getShape());
            return null;
          });
      List<String> calls = world.nccl.calls;
      assertTrue(calls.contains("rank 0 send peer=0 count=8"), calls.toString());
      assertTrue(calls.contains("rank 2 recv peer=0 count=4"), calls.toString());
      assertTrue(calls.contains("rank 1 recv peer=2 count=12"), calls.toString());
      assertFalse(calls.stream().anyMatch(c -> c.startsWith("rank 1 send")), calls.toString());
      assertEquals(2, calls.stream().filter(c -> c.startsWith("rank 2 send")).count());
    }
  }
}
