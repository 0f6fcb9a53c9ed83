package ai.llep.comm;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.llep.aten.Aten;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/** The communicator of a one-rank job: every collective is a copy, messages go to itself. */
public final class SingleProcessCommunicator implements Communicator {
  @Override
  public int rank() {
    return 0;
  }

  @Override
  public int worldSize() {
    return 1;
  }

  @Override
  public NDArray allGather(NDArray x) {
    return x.expandDims(0).duplicate();
  }

  @Override
  public NDArray allReduce(NDArray x, ReduceOp op) {
    return x.duplicate();
  }

  @Override
  public NDArray allToAllV(NDArray x, long[] sendRows, long[] recvRows) {
    checkSplits("send", sendRows, x);
    if (recvRows.length != 1 || recvRows[0] != sendRows[0]) {
      throw new CommException(
          "all-to-all-v on one rank: receive split "
              + java.util.Arrays.toString(recvRows)
              + " must equal the send split "
              + java.util.Arrays.toString(sendRows));
    }
    return x.duplicate();
  }

  @Override
  public NDList sendRecv(List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager) {
    Queue<NDArray> inFlight = new ArrayDeque<>();
    for (PeerSend send : sends) {
      checkPeer(send.peer());
      inFlight.add(send.tensor());
    }
    NDList received = new NDList(recvs.size());
    for (PeerRecv recv : recvs) {
      checkPeer(recv.peer());
      NDArray sent = inFlight.poll();
      if (sent == null
          || !sent.getShape().equals(recv.shape())
          || Aten.dtype(sent) != recv.dataType()) {
        throw new CommException("send-recv on one rank: receive " + recv + " has no matching send");
      }
      NDArray copy = sent.duplicate();
      copy.attach(manager);
      received.add(copy);
    }
    if (!inFlight.isEmpty()) {
      throw new CommException(
          "send-recv on one rank: " + inFlight.size() + " sends were not received");
    }
    return received;
  }

  @Override
  public NDArray broadcast(NDArray x, int root) {
    checkPeer(root);
    return x.duplicate();
  }

  @Override
  public void barrier() {}

  @Override
  public void close() {}

  private static void checkPeer(int peer) {
    if (peer != 0) {
      throw new CommException("rank " + peer + " does not exist in a one-rank job");
    }
  }

  private static void checkSplits(String what, long[] rows, NDArray x) {
    if (rows.length != 1 || rows[0] != x.getShape().get(0)) {
      throw new CommException(
          "all-to-all-v on one rank: "
              + what
              + " split "
              + java.util.Arrays.toString(rows)
              + " must be ["
              + x.getShape().get(0)
              + "]");
    }
  }
}
