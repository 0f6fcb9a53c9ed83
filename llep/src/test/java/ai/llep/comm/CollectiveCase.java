package ai.llep.comm;

import static ai.llep.comm.TestTensors.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One trial of the communicator contract on one rank, for any backend: every collective against a
 * direct computation, bit for bit. Inputs derive from (trial, dtype, rank), so each rank rebuilds
 * all ranks' inputs to compute the expected result.
 */
public record CollectiveCase(int size, int rank, int trial, DataType type, NDManager m) {

  /** Runs every collective once, then a barrier. */
  public void runAll(Communicator comm, boolean reduce) {
    allGather(comm);
    if (reduce) {
      allReduce(comm, ReduceOp.SUM);
      allReduce(comm, ReduceOp.MAX);
    }
    allToAllV(comm);
    broadcast(comm);
    sendRecv(comm);
    comm.barrier();
  }

  private long seed(int ofRank, int salt) {
    return ((trial * 31L + type.ordinal()) * 17 + ofRank) * 101 + salt;
  }

  private Random shared(int salt) {
    return new Random(seed(-1, salt));
  }

  private List<NDArray> inputs(Shape shape, int salt) {
    List<NDArray> all = new ArrayList<>();
    for (int p = 0; p < size; p++) {
      all.add(TestTensors.random(m, type, shape, seed(p, salt)));
    }
    return all;
  }

  private String what(String op) {
    return op + " P=" + size + " rank " + rank + " trial " + trial + " " + type;
  }

  void allGather(Communicator comm) {
    List<NDArray> in = inputs(TestTensors.shape(shared(1), 3), 1);
    NDArray got = comm.allGather(in.get(rank));
    assertSameBits(NDArrays.stack(new NDList(in)), got, what("all-gather"));
  }

  void allReduce(Communicator comm, ReduceOp op) {
    List<NDArray> in = inputs(TestTensors.shape(shared(2), 3), 2);
    NDArray before = in.get(rank).duplicate();
    NDArray got = comm.allReduce(in.get(rank), op);
    NDArray expected = in.get(0);
    for (int p = 1; p < size; p++) {
      expected = op == ReduceOp.SUM ? expected.add(in.get(p)) : expected.maximum(in.get(p));
    }
    assertSameBits(expected, got, what("all-reduce " + op));
    assertSameBits(before, in.get(rank), what("all-reduce input untouched"));
  }

  /** Random splits with zeros, and one rank that sends nothing at all. */
  void allToAllV(Communicator comm) {
    Random rnd = shared(3);
    Shape row = TestTensors.shape(rnd, 2);
    long[][] rows = new long[size][size];
    int silent = rnd.nextInt(size);
    for (int p = 0; p < size; p++) {
      for (int q = 0; q < size; q++) {
        boolean zero = (p == silent && size > 1) || rnd.nextInt(3) == 0;
        rows[p][q] = zero ? 0 : 1 + rnd.nextInt(3);
      }
    }
    List<NDArray> in = new ArrayList<>();
    for (int p = 0; p < size; p++) {
      long total = 0;
      for (long r : rows[p]) {
        total += r;
      }
      in.add(TestTensors.random(m, type, new Shape(total).addAll(row), seed(p, 3)));
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

  void broadcast(Communicator comm) {
    Random rnd = shared(4);
    Shape shape = TestTensors.shape(rnd, 3);
    int root = rnd.nextInt(size);
    List<NDArray> in = inputs(shape, 4);
    NDArray got = comm.broadcast(in.get(rank), root);
    assertSameBits(in.get(root), got, what("broadcast from " + root));
  }

  /** Each rank sends A to rank+1 and B to rank+2 (itself when P is 1 or 2). */
  void sendRecv(Communicator comm) {
    int next = (rank + 1) % size;
    int nextNext = (rank + 2) % size;
    int prev = (rank - 1 + size) % size;
    int prevPrev = (rank - 2 + 2 * size) % size;
    NDArray a = TestTensors.random(m, type, shapeOf(rank, 5), seed(rank, 5));
    NDArray b = TestTensors.random(m, type, shapeOf(rank, 6), seed(rank, 6));
    NDList got =
        comm.sendRecv(
            List.of(new PeerSend(next, a), new PeerSend(nextNext, b)),
            List.of(
                new PeerRecv(prev, shapeOf(prev, 5), type),
                new PeerRecv(prevPrev, shapeOf(prevPrev, 6), type)),
            m);
    assertEquals(2, got.size());
    assertSameBits(
        TestTensors.random(m, type, shapeOf(prev, 5), seed(prev, 5)), got.get(0), what("p2p A"));
    assertSameBits(
        TestTensors.random(m, type, shapeOf(prevPrev, 6), seed(prevPrev, 6)),
        got.get(1),
        what("p2p B"));
  }

  private Shape shapeOf(int sender, int salt) {
    return TestTensors.shape(new Random(seed(sender, salt * 7)), 3);
  }
}
