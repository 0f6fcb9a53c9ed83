package ai.llep.trainer.verify;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.Communicator;

/** Brings every rank's rows or experts to rank 0 for the reference (others get empty results). */
final class RankGather {
  private final Communicator comm;
  private final long[] tokensOf;

  RankGather(Communicator comm, VerifyOptions options, int worldSize) {
    this.comm = comm;
    this.tokensOf = new long[worldSize];
    for (int r = 0; r < worldSize; r++) {
      tokensOf[r] = options.tokensOn(r, worldSize);
    }
  }

  /** Concatenates each rank's [T_r, ...] rows on rank 0, in rank order. */
  NDArray rows(NDArray local) {
    int p = comm.worldSize();
    long[] send = new long[p];
    send[0] = local.getShape().get(0);
    long[] recv = comm.rank() == 0 ? tokensOf.clone() : new long[p];
    return comm.allToAllV(local, send, recv);
  }

  /** Turns each rank's [M, ...] experts into [N, ...] in expert order (on every rank). */
  NDArray experts(NDArray local_M) {
    NDArray gathered = comm.allGather(local_M);
    Shape shape = gathered.getShape();
    return gathered.reshape(new Shape(shape.get(0) * shape.get(1)).addAll(shape.slice(2)));
  }
}
