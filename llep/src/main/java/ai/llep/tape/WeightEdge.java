package ai.llep.tape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import java.util.ArrayList;
import java.util.List;

/**
 * The borrowed expert weights of one layer. In backward each helper returns the gradient of every
 * borrowed tensor to its owner (one batch of point-to-point messages per layer), and the owner adds
 * it to its native parameter's gradient. Both sides list the loans of a pair in the same order, so
 * the messages pair up without tags.
 */
record WeightEdge(
    Communicator comm, NDManager manager, List<WeightLoan> lent, List<WeightLoan> borrowed)
    implements TapeEdge {
  @Override
  public void propagate() {
    try (NDManager scope = manager.newSubManager()) {
      List<PeerSend> sends = new ArrayList<>(borrowed.size());
      for (WeightLoan loan : borrowed) {
        NDArray gradient = Gradients.gradientOf(loan.local());
        gradient.attach(scope);
        sends.add(new PeerSend(loan.peer(), gradient));
      }
      List<PeerRecv> recvs = new ArrayList<>(lent.size());
      for (WeightLoan loan : lent) {
        recvs.add(new PeerRecv(loan.peer(), loan.local().getShape(), Aten.dtype(loan.local())));
      }
      NDList returned = comm.sendRecv(sends, recvs, scope);
      for (int i = 0; i < lent.size(); i++) {
        Gradients.backward(lent.get(i).local(), returned.get(i));
      }
    }
  }
}
