package ai.llep.comm;

import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Checks a send-recv batch before any byte moves, so a bad call fails on its own rank only. Both
 * backends pair the messages between two ranks in posting order, so a rank's sends to itself must
 * match its receives from itself one for one.
 */
public final class SendRecvBatch {
  private SendRecvBatch() {}

  /**
   * @param supportedType throws for a dtype the backend cannot carry
   */
  public static void validate(
      int rank,
      int worldSize,
      List<PeerSend> sends,
      List<PeerRecv> recvs,
      Consumer<DataType> supportedType) {
    List<PeerSend> toSelf = new ArrayList<>();
    for (PeerSend s : sends) {
      checkPeer("send to", s.peer(), worldSize);
      supportedType.accept(Aten.dtype(s.tensor()));
      if (s.peer() == rank) {
        toSelf.add(s);
      }
    }
    int fromSelf = 0;
    for (PeerRecv r : recvs) {
      checkPeer("receive from", r.peer(), worldSize);
      supportedType.accept(r.dataType());
      if (r.peer() != rank) {
        continue;
      }
      if (fromSelf >= toSelf.size()) {
        throw new IllegalArgumentException(
            "send-recv: rank " + rank + " receives from itself more often than it sends to itself");
      }
      PeerSend s = toSelf.get(fromSelf++);
      if (!s.tensor().getShape().equals(r.shape()) || Aten.dtype(s.tensor()) != r.dataType()) {
        throw new IllegalArgumentException(
            "send-recv: rank "
                + rank
                + " sends itself "
                + s.tensor().getShape()
                + " "
                + Aten.dtype(s.tensor())
                + " but expects "
                + r.shape()
                + " "
                + r.dataType());
      }
    }
    if (fromSelf != toSelf.size()) {
      throw new IllegalArgumentException(
          "send-recv: rank "
              + rank
              + " sends itself "
              + toSelf.size()
              + " arrays but receives "
              + fromSelf);
    }
  }

  private static void checkPeer(String what, int peer, int worldSize) {
    if (peer >= worldSize) {
      throw new IllegalArgumentException(
          "send-recv: cannot " + what + " rank " + peer + " in a world of " + worldSize);
    }
  }
}
