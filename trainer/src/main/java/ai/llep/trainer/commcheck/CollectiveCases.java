package ai.llep.trainer.commcheck;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.ReduceOp;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs every collective on random inputs and checks each result against a direct computation from
 * all ranks' inputs, which every rank can rebuild from the shared seed.
 */
final class CollectiveCases {
  private final Communicator comm;
  private final TensorFactory tensors;
  private final int maxRows;
  private final int rank;
  private final int worldSize;
  private final List<CaseResult> results = new ArrayList<>();
  private int nextCase;

  CollectiveCases(Communicator comm, long seed, int maxRows) {
    this.comm = comm;
    this.tensors = new TensorFactory(seed);
    this.maxRows = maxRows;
    this.rank = comm.rank();
    this.worldSize = comm.worldSize();
  }

  List<CaseResult> run(NDManager manager, List<DataType> dataTypes, int shapesPerDataType) {
    for (DataType dataType : dataTypes) {
      for (int i = 0; i < shapesPerDataType; i++) {
        try (NDManager scope = manager.newSubManager()) {
          allGather(scope, dataType);
          allReduce(scope, dataType, ReduceOp.SUM);
          allReduce(scope, dataType, ReduceOp.MAX);
          allToAllV(scope, dataType);
          sendRecv(scope, dataType);
          broadcast(scope, dataType);
        }
      }
    }
    comm.barrier();
    return List.copyOf(results);
  }

  private Shape randomShape(SplittableRandom random, long rows) {
    int trailingDims = random.nextInt(0, 3);
    long[] dims = new long[trailingDims + 1];
    dims[0] = rows;
    for (int d = 1; d <= trailingDims; d++) {
      dims[d] = random.nextInt(1, 6);
    }
    return new Shape(dims);
  }

  private void allGather(NDManager scope, DataType dataType) {
    int id = nextCase++;
    Shape shape = randomShape(tensors.shared(id), tensors.shared(id).nextInt(0, maxRows + 1));
    NDArray actual = comm.allGather(tensors.input(scope, id, rank, shape, dataType));
    NDList all = new NDList();
    for (int r = 0; r < worldSize; r++) {
      all.add(tensors.input(scope, id, r, shape, dataType));
    }
    record("all-gather", dataType, shape, actual, NDArrays.stack(all));
  }

  private void allReduce(NDManager scope, DataType dataType, ReduceOp op) {
    int id = nextCase++;
    Shape shape = randomShape(tensors.shared(id), tensors.shared(id).nextInt(1, maxRows + 1));
    NDArray actual = comm.allReduce(tensors.input(scope, id, rank, shape, dataType), op);
    NDArray expected = tensors.input(scope, id, 0, shape, dataType);
    for (int r = 1; r < worldSize; r++) {
      NDArray next = tensors.input(scope, id, r, shape, dataType);
      expected = op == ReduceOp.SUM ? expected.add(next) : NDArrays.maximum(expected, next);
    }
    record(
        "all-reduce-" + op.name().toLowerCase(java.util.Locale.ROOT),
        dataType,
        shape,
        actual,
        expected);
  }

  /** Random P x P split matrix with zeros, and one rank that sends nothing at all. */
  private long[][] splitMatrix(SplittableRandom random) {
    long[][] splits = new long[worldSize][worldSize];
    int silentRank = random.nextInt(worldSize);
    for (int src = 0; src < worldSize; src++) {
      for (int dst = 0; dst < worldSize; dst++) {
        boolean zero = src == silentRank || random.nextInt(4) == 0;
        splits[src][dst] = zero ? 0 : random.nextInt(1, maxRows + 1);
      }
    }
    return splits;
  }

  private void allToAllV(NDManager scope, DataType dataType) {
    int id = nextCase++;
    SplittableRandom random = tensors.shared(id);
    long[][] splits = splitMatrix(random);
    Shape rowShape = randomShape(random, 1).slice(1);
    long[] recvRows = new long[worldSize];
    for (int src = 0; src < worldSize; src++) {
      recvRows[src] = splits[src][rank];
    }
    NDArray mine = tensors.input(scope, id, rank, rows(splits[rank], rowShape), dataType);
    NDArray actual = comm.allToAllV(mine, splits[rank], recvRows);
    NDList pieces = new NDList();
    for (int src = 0; src < worldSize; src++) {
      NDArray theirs = tensors.input(scope, id, src, rows(splits[src], rowShape), dataType);
      long start = 0;
      for (int dst = 0; dst < rank; dst++) {
        start += splits[src][dst];
      }
      pieces.add(theirs.get(new NDIndex("{}:{}", start, start + splits[src][rank])));
    }
    NDArray expected = NDArrays.concat(pieces, 0);
    record("all-to-all-v", dataType, rows(recvRows, rowShape), actual, expected);
  }

  private static Shape rows(long[] splits, Shape rowShape) {
    long total = 0;
    for (long s : splits) {
      total += s;
    }
    return new Shape(total).addAll(rowShape);
  }

  /**
   * Every rank sends to the next two ranks (a ring with a skip) and receives from the previous two.
   */
  private void sendRecv(NDManager scope, DataType dataType) {
    int id = nextCase++;
    if (worldSize == 1) {
      return;
    }
    SplittableRandom random = tensors.shared(id);
    Shape[] shapeFrom = new Shape[worldSize];
    for (int r = 0; r < worldSize; r++) {
      shapeFrom[r] = randomShape(random, random.nextInt(0, maxRows + 1));
    }
    List<PeerSend> sends = new ArrayList<>();
    List<PeerRecv> recvs = new ArrayList<>();
    int hops = Math.min(2, worldSize - 1);
    for (int hop = 1; hop <= hops; hop++) {
      int to = (rank + hop) % worldSize;
      int from = (rank - hop + worldSize) % worldSize;
      sends.add(
          new PeerSend(to, tensors.input(scope, id * 8 + hop, rank, shapeFrom[rank], dataType)));
      recvs.add(new PeerRecv(from, shapeFrom[from], dataType));
    }
    NDList received = comm.sendRecv(sends, recvs, scope);
    for (int hop = 1; hop <= hops; hop++) {
      int from = (rank - hop + worldSize) % worldSize;
      NDArray expected = tensors.input(scope, id * 8 + hop, from, shapeFrom[from], dataType);
      record("send-recv", dataType, shapeFrom[from], received.get(hop - 1), expected);
    }
  }

  private void broadcast(NDManager scope, DataType dataType) {
    int id = nextCase++;
    SplittableRandom random = tensors.shared(id);
    int root = random.nextInt(worldSize);
    Shape shape = randomShape(random, random.nextInt(0, maxRows + 1));
    NDArray actual = comm.broadcast(tensors.input(scope, id, rank, shape, dataType), root);
    record("broadcast", dataType, shape, actual, tensors.input(scope, id, root, shape, dataType));
  }

  private void record(String op, DataType dataType, Shape shape, NDArray actual, NDArray expected) {
    boolean passed =
        actual.getDataType() == expected.getDataType()
            && actual.getShape().equals(expected.getShape())
            && actual.contentEquals(expected);
    results.add(
        new CaseResult(
            op, dataType.name().toLowerCase(java.util.Locale.ROOT), shape.toString(), passed));
  }
}
