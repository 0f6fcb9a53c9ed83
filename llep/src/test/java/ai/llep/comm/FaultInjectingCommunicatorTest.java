package ai.llep.comm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectingCommunicatorTest {

  /** Records calls; returns its input. */
  private record Echo(int rank, int worldSize, List<String> calls) implements Communicator {
    @Override
    public NDArray allGather(NDArray x) {
      calls.add("all-gather");
      return x;
    }

    @Override
    public NDArray allReduce(NDArray x, ReduceOp op) {
      calls.add("all-reduce");
      return x;
    }

    @Override
    public NDArray allToAllV(NDArray x, long[] sendRows, long[] recvRows) {
      calls.add("all-to-all-v");
      return x;
    }

    @Override
    public NDList sendRecv(List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager) {
      calls.add("send-recv");
      return new NDList();
    }

    @Override
    public NDArray broadcast(NDArray x, int root) {
      calls.add("broadcast");
      return x;
    }

    @Override
    public void barrier() {
      calls.add("barrier");
    }

    @Override
    public void close() {
      calls.add("close");
    }
  }

  @Test
  void theChosenRankFailsAtItsFirstCollective() {
    Echo echo = new Echo(2, 4, new ArrayList<>());
    try (var faulty = new FaultInjectingCommunicator(echo, 2)) {
      var e = assertThrows(IllegalStateException.class, faulty::barrier);
      assertEquals(
          "debug.fail-rank=2: rank 2 fails at its first collective (barrier)", e.getMessage());
      e = assertThrows(IllegalStateException.class, () -> faulty.allReduce(null, ReduceOp.SUM));
      assertEquals(
          "debug.fail-rank=2: rank 2 fails at its first collective (all-reduce)", e.getMessage());
      assertEquals(2, faulty.rank());
      assertEquals(4, faulty.worldSize());
    }
    assertEquals(List.of("close"), echo.calls());
  }

  @Test
  void otherRanksOnlyDelegate() {
    Echo echo = new Echo(1, 4, new ArrayList<>());
    try (var faulty = new FaultInjectingCommunicator(echo, 2)) {
      faulty.barrier();
      assertSame(null, faulty.allGather(null));
      faulty.allToAllV(null, new long[4], new long[4]);
      faulty.broadcast(null, 0);
      faulty.sendRecv(List.of(), List.of(), null);
    }
    assertEquals(
        List.of("barrier", "all-gather", "all-to-all-v", "broadcast", "send-recv", "close"),
        echo.calls());
  }

  @Test
  void rejectsARankOutsideTheWorld() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FaultInjectingCommunicator(new Echo(0, 2, new ArrayList<>()), 2));
    assertEquals("the faulty rank must be in [0, 2), got 2", e.getMessage());
  }
}
