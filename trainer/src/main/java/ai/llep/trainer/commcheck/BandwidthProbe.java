package ai.llep.trainer.commcheck;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.ReduceOp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Times each operation on a float32 buffer of a given size. Bus bandwidth follows the convention of
 * nccl-tests, so numbers compare across world sizes and with NCCL's own tools.
 */
final class BandwidthProbe {
  /** One measured operation: seconds per call (max over ranks) and the derived bandwidths. */
  record Measurement(String operation, long bytes, double seconds, double busFactor) {
    double algorithmGbPerSecond() {
      return bytes / seconds / 1e9;
    }

    double busGbPerSecond() {
      return algorithmGbPerSecond() * busFactor;
    }
  }

  private final Communicator comm;
  private final int iterations;

  BandwidthProbe(Communicator comm, int iterations) {
    this.comm = comm;
    this.iterations = iterations;
  }

  List<Measurement> run(NDManager manager, long bytes) {
    int p = comm.worldSize();
    long elements = Math.max(p, bytes / 4 / p * p);
    long actualBytes = elements * 4;
    double spread = p == 1 ? 1.0 : (p - 1) / (double) p;
    List<Measurement> out = new ArrayList<>();
    try (NDManager scope = manager.newSubManager()) {
      NDArray buffer = scope.ones(new Shape(elements), DataType.FLOAT32);
      NDArray slice = scope.ones(new Shape(elements / p), DataType.FLOAT32);
      long[] equal = new long[p];
      java.util.Arrays.fill(equal, elements / p);
      out.add(
          time(
              scope,
              "all-reduce",
              actualBytes,
              2 * spread,
              s -> comm.allReduce(buffer, ReduceOp.SUM).close()));
      out.add(time(scope, "all-gather", actualBytes, spread, s -> comm.allGather(slice).close()));
      out.add(
          time(
              scope,
              "all-to-all-v",
              actualBytes,
              spread,
              s -> comm.allToAllV(buffer, equal, equal).close()));
      out.add(time(scope, "broadcast", actualBytes, 1.0, s -> comm.broadcast(buffer, 0).close()));
      if (p > 1) {
        int to = (comm.rank() + 1) % p;
        int from = (comm.rank() - 1 + p) % p;
        List<PeerSend> sends = List.of(new PeerSend(to, buffer));
        List<PeerRecv> recvs = List.of(new PeerRecv(from, buffer.getShape(), DataType.FLOAT32));
        out.add(time(scope, "send-recv", actualBytes, 1.0, s -> comm.sendRecv(sends, recvs, s)));
      }
    }
    return out;
  }

  private Measurement time(
      NDManager scope, String operation, long bytes, double busFactor, Consumer<NDManager> call) {
    try (NDManager warm = scope.newSubManager()) {
      call.accept(warm);
    }
    comm.barrier();
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      try (NDManager step = scope.newSubManager()) {
        call.accept(step);
      }
    }
    double local = (System.nanoTime() - start) / 1e9 / iterations;
    double slowest;
    try (NDManager reduce = scope.newSubManager();
        NDArray mine = reduce.create(new double[] {local});
        NDArray max = comm.allReduce(mine, ReduceOp.MAX)) {
      slowest = max.getDouble(0);
    }
    return new Measurement(operation, bytes, slowest, busFactor);
  }
}
