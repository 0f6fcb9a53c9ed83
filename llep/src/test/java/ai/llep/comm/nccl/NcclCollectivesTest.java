package ai.llep.comm.nccl;

import static ai.llep.comm.nccl.HostTensors.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.ReduceOp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The NCCL communicator's logic on CPU: every collective over the in-process fake NCCL against a
 * direct computation, bit for bit (the fake reduces in rank order), and what it posts to NCCL.
 */
class NcclCollectivesTest {
  private static final DataType[] TYPES = {DataType.FLOAT32, DataType.FLOAT16, DataType.INT64};

  @ParameterizedTest(name = "P={0}")
  @ValueSource(ints = {1, 2, 3})
  void collectivesMatchADirectComputation(int size) throws Exception {
    try (FakeWorld world = FakeWorld.start(size, FakeWorld.options(Duration.ofSeconds(10)))) {
      world.runAll(
          (rank, comm, manager) -> {
            for (int trial = 0; trial < 3; trial++) {
              for (DataType type : TYPES) {
                try (NDManager scope = manager.newSubManager()) {
                  Case c = new Case(size, rank, trial, type, scope);
                  c.allGather(comm);
                  if (type != DataType.FLOAT16) {
                    c.allReduce(comm, ReduceOp.SUM);
                    c.allReduce(comm, ReduceOp.MAX);
                  }
                  c.allToAllV(comm);
                  c.broadcast(comm);
                  c.sendRecv(comm);
                  comm.barrier();
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

  /** One trial on one rank: shared shapes and splits, and every rank's input. */
  private record Case(int size, int rank, int trial, DataType type, NDManager m) {
    private long seed(int ofRank, int salt) {
      return ((trial * 31L + type.ordinal()) * 17 + ofRank) * 101 + salt;
    }

    private Random shared(int salt) {
      return new Random(seed(-1, salt));
    }

    private Shape shape(Random rnd) {
      return new Shape(rnd.nextInt(4), 1 + rnd.nextInt(3), 1 + rnd.nextInt(2));
    }

    private List<NDArray> inputs(Shape shape, int salt) {
      List<NDArray> all = new ArrayList<>();
      for (int p = 0; p < size; p++) {
        all.add(HostTensors.random(m, type, shape, seed(p, salt)));
      }
      return all;
    }

    private String what(String op) {
      return op + " P=" + size + " rank " + rank + " trial " + trial + " " + type;
    }

    void allGather(NcclCommunicator comm) {
      List<NDArray> in = inputs(shape(shared(1)), 1);
      assertSameBits(NDArrays.stack(new NDList(in)), comm.allGather(in.get(rank)), what("gather"));
    }

    void allReduce(NcclCommunicator comm, ReduceOp op) {
      List<NDArray> in = inputs(shape(shared(2)), 2);
      NDArray before = in.get(rank).duplicate();
      NDArray got = comm.allReduce(in.get(rank), op);
      NDArray expected = in.get(0);
      for (int p = 1; p < size; p++) {
        expected = op == ReduceOp.SUM ? expected.add(in.get(p)) : expected.maximum(in.get(p));
      }
      assertSameBits(expected, got, what("all-reduce " + op));
      assertSameBits(before, in.get(rank), what("all-reduce input untouched"));
    }

    void allToAllV(NcclCommunicator comm) {
      Random rnd = shared(3);
      Shape row = new Shape(1 + rnd.nextInt(3), 2);
      long[][] rows = new long[size][size];
      for (int p = 0; p < size; p++) {
        for (int q = 0; q < size; q++) {
          rows[p][q] = rnd.nextInt(3) == 0 ? 0 : 1 + rnd.nextInt(3);
        }
      }
      List<NDArray> in = new ArrayList<>();
      for (int p = 0; p < size; p++) {
        long total = 0;
        for (long r : rows[p]) {
          total += r;
        }
        in.add(HostTensors.random(m, type, new Shape(total).addAll(row), seed(p, 3)));
      }
      long[] recvRows = new long[size];
      NDList pieces = new NDList();
      for (int p = 0; p < size; p++) {
        recvRows[p] = rows[p][rank];
        long start = 0;
        for (int q = 0; q < rank; q++) {
          start += rows[p][q];
        }
        pieces.add(in.get(p).get(new NDIndex("{}:{}", start, start + rows[p][rank])));
      }
      NDArray got = comm.allToAllV(in.get(rank), rows[rank], recvRows);
      assertSameBits(NDArrays.concat(pieces, 0), got, what("all-to-all-v"));
    }

    void broadcast(NcclCommunicator comm) {
      Random rnd = shared(4);
      Shape shape = shape(rnd);
      int root = rnd.nextInt(size);
      List<NDArray> in = inputs(shape, 4);
      assertSameBits(in.get(root), comm.broadcast(in.get(rank), root), what("broadcast"));
    }

    /** Each rank sends A to rank+1 and B to rank+2 (itself when P is 1 or 2). */
    void sendRecv(NcclCommunicator comm) {
      int next = (rank + 1) % size;
      int nextNext = (rank + 2) % size;
      int prev = (rank - 1 + size) % size;
      int prevPrev = (rank - 2 + 2 * size) % size;
      NDArray a = HostTensors.random(m, type, shapeOf(rank, 5), seed(rank, 5));
      NDArray b = HostTensors.random(m, type, shapeOf(rank, 6), seed(rank, 6));
      NDList got =
          comm.sendRecv(
              List.of(new PeerSend(next, a), new PeerSend(nextNext, b)),
              List.of(
                  new PeerRecv(prev, shapeOf(prev, 5), type),
                  new PeerRecv(prevPrev, shapeOf(prevPrev, 6), type)),
              m);
      assertEquals(2, got.size());
      assertSameBits(
          HostTensors.random(m, type, shapeOf(prev, 5), seed(prev, 5)), got.get(0), what("p2p A"));
      assertSameBits(
          HostTensors.random(m, type, shapeOf(prevPrev, 6), seed(prevPrev, 6)),
          got.get(1),
          what("p2p B"));
    }

    private Shape shapeOf(int sender, int salt) {
      return shape(new Random(seed(sender, salt * 7)));
    }
  }
}
