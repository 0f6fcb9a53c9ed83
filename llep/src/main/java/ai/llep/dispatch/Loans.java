package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PendingExchange;
import ai.llep.plan.Plan;
import ai.llep.plan.WeightTransfer;
import ai.llep.tape.DistributedTape;
import ai.llep.tape.WeightLoan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * The weight exchange of one forward: this rank lends its experts that the plan spills and borrows
 * the ones it helps with, in one batch of point-to-point messages posted at once and awaited only
 * when a borrowed expert is needed, so that native experts compute while the weights travel. Each
 * borrowed expert arrives as the tensors of the {@link ExpertFunction}, with the declared shapes
 * and the dtype of this rank's own stack; the tape returns their gradients to the owners.
 */
final class Loans {
  private final PendingExchange pending;
  private final List<Integer> experts;
  private final int tensorsPerExpert;
  private Map<Integer, List<NDArray>> borrowed;

  private Loans(PendingExchange pending, List<Integer> experts, int tensorsPerExpert) {
    this.pending = pending;
    this.experts = experts;
    this.tensorsPerExpert = tensorsPerExpert;
  }

  /**
   * Posts the exchange. The plan lists transfers in the same order on every rank, so lends and
   * borrows pair up without tags.
   *
   * @param localIndex the index in this rank's stack of a native expert
   */
  static Loans start(
      DistributedTape tape,
      Plan plan,
      NativeExperts natives,
      List<Shape> shapes,
      IntUnaryOperator localIndex,
      NDManager manager) {
    int rank = tape.comm().rank();
    List<WeightLoan> lend = new ArrayList<>();
    List<PeerRecv> borrow = new ArrayList<>();
    List<Integer> borrowedExperts = new ArrayList<>();
    List<NDArray> stacked = natives.stack().tensors();
    for (WeightTransfer transfer : plan.transfers()) {
      if (transfer.owner() == rank) {
        for (NDArray tensor : natives.expert(localIndex.applyAsInt(transfer.expert()))) {
          lend.add(new WeightLoan(transfer.helper(), tensor));
        }
      }
      if (transfer.helper() == rank) {
        for (int i = 0; i < shapes.size(); i++) {
          borrow.add(new PeerRecv(transfer.owner(), shapes.get(i), Aten.dtype(stacked.get(i))));
        }
        borrowedExperts.add(transfer.expert());
      }
    }
    PendingExchange pending = tape.startWeightExchange(lend, borrow, manager);
    return new Loans(pending, borrowedExperts, shapes.size());
  }

  /** Bytes of one expert's tensors, which each transfer moves. */
  static long bytesPerExpert(List<Shape> shapes, ExpertStack natives) {
    long bytes = 0;
    for (int i = 0; i < shapes.size(); i++) {
      DataType type = Aten.dtype(natives.tensors().get(i));
      bytes += shapes.get(i).size() * type.getNumOfBytes();
    }
    return bytes;
  }

  /** Waits for the borrowed experts (on a GPU only the device waits) and returns them by id. */
  Map<Integer, List<NDArray>> await() {
    if (borrowed == null) {
      pending.await();
      NDList received = pending.received();
      borrowed = new HashMap<>();
      for (int i = 0; i < experts.size(); i++) {
        borrowed.putIfAbsent(
            experts.get(i),
            List.copyOf(received.subList(i * tensorsPerExpert, (i + 1) * tensorsPerExpert)));
      }
    }
    return borrowed;
  }

  /** Whether the exchange was awaited. */
  boolean awaited() {
    return borrowed != null;
  }
}
