package ai.llep.comm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Collective and point-to-point communication between the ranks of one job.
 *
 * <p>Every rank calls the collectives in the same order. Results are new arrays attached to the
 * manager that the call names (or to the input's manager); inputs are never modified. Every
 * blocking call is bounded by the backend's timeout; a peer that dies or stops answering becomes a
 * {@link CommException} naming that peer, never a hang.
 *
 * <p>Split sizes count rows along dimension 0; the trailing shape and the dtype are those of the
 * input on every rank.
 */
public interface Communicator extends AutoCloseable {

  int rank();

  int worldSize();

  /** Stacks every rank's {@code x} (same shape everywhere) into a new array of shape [P, ...]. */
  NDArray allGather(NDArray x);

  /** Element-wise reduction over ranks, summed in rank order so all ranks get identical bits. */
  NDArray allReduce(NDArray x, ReduceOp op);

  /**
   * All-to-all with per-peer row counts: rows {@code [sum(sendRows[0..p)), +sendRows[p])} of {@code
   * x} go to rank p; the result holds, in rank order, the {@code recvRows[p]} rows that rank p sent
   * here. Zero-size splits are allowed in both directions.
   */
  NDArray allToAllV(NDArray x, long[] sendRows, long[] recvRows);

  /**
   * One batch of point-to-point transfers: every send is posted, then every receive completes.
   * Received arrays are returned in the order of {@code recvs} and attached to {@code manager}.
   */
  NDList sendRecv(List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager);

  /**
   * {@link #sendRecv}, started so that device work queued before {@link PendingExchange#await} can
   * run while the transfers are in flight (on a GPU they travel on a second stream). It counts as
   * one call in the order every rank keeps; the sent arrays must stay unchanged until the await.
   * This default finishes the exchange at once.
   */
  default PendingExchange startSendRecv(
      List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager) {
    return PendingExchange.completed(sendRecv(sends, recvs, manager));
  }

  /** Rank {@code root}'s {@code x} on every rank (others pass an array of the same shape/dtype). */
  NDArray broadcast(NDArray x, int root);

  void barrier();

  @Override
  void close();
}
