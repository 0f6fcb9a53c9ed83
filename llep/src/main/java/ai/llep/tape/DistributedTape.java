package ai.llep.tape;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.PendingExchange;
import java.util.ArrayList;
import java.util.List;

/**
 * Records the communication cuts of one step, in forward order, and runs the backward across ranks.
 * The tape performs the forward communication itself, so a cut can never be forgotten. A tape made
 * by {@link #inference} communicates but records nothing.
 *
 * <p>One tape per step, used on the step's thread (DJL's grad mode is per thread).
 */
public final class DistributedTape {
  private final Communicator comm;
  private final boolean recording;
  private final List<TapeEdge> edges = new ArrayList<>();
  private final List<String> labels = new ArrayList<>();

  private DistributedTape(Communicator comm, boolean recording) {
    this.comm = comm;
    this.recording = recording;
  }

  public static DistributedTape training(Communicator comm) {
    return new DistributedTape(comm, true);
  }

  public static DistributedTape inference(Communicator comm) {
    return new DistributedTape(comm, false);
  }

  public Communicator comm() {
    return comm;
  }

  public boolean recording() {
    return recording;
  }

  public int edgeCount() {
    return edges.size();
  }

  /**
   * A local cut: the returned leaf stands for {@code x} downstream, so each later backward call
   * walks only the graph between two cuts.
   */
  public NDArray cut(NDArray x) {
    return cut(x, "cut");
  }

  /** {@link #cut(NDArray)}, named {@code label} in {@link BackwardPhases}. */
  public NDArray cut(NDArray x, String label) {
    if (!recording) {
      return x;
    }
    NDArray leaf = Gradients.leaf(x.stopGradient());
    record(new LocalCut(x, leaf), label);
    return leaf;
  }

  /**
   * Activation checkpointing: runs {@code segment} on {@code inputs} without recording autograd and
   * keeps only its output, a leaf; what the segment computed on the way is freed at once. The
   * backward runs the segment again with autograd at this point of the tape and back-propagates the
   * output's gradient through it into {@code inputs}. Gradients equal those of running the segment
   * directly, as long as both runs compute the same values.
   *
   * <p>On a tape that records nothing the segment simply runs.
   *
   * @param inputs the tensors the segment reads (non-empty; the first one's manager owns the
   *     output); they stay alive until the backward anyway
   */
  public NDArray checkpoint(NDList inputs, Recomputable segment, String label) {
    if (!recording) {
      return segment.forward(this, inputs);
    }
    NDManager owner = inputs.head().getManager();
    NDArray output;
    try (NDManager scope = owner.newSubManager();
        GradMode noGrad = GradMode.disabled()) {
      NDArray computed = segment.forward(inference(comm), viewsIn(inputs, scope));
      output = computed.stopGradient();
      output.attach(owner);
    }
    Gradients.leaf(output);
    record(new RecomputeEdge(comm, inputs, segment, output), label);
    return output;
  }

  /**
   * Views of {@code inputs} owned by {@code scope}: DJL puts an operation's result under its first
   * operand's manager, so what a segment computes from them closes with the scope. Under autograd
   * the views pass gradients to the inputs.
   */
  static NDList viewsIn(NDList inputs, NDManager scope) {
    NDList views = new NDList(inputs.size());
    for (NDArray input : inputs) {
      NDArray view = input.reshape(input.getShape());
      view.attach(scope);
      views.add(view);
    }
    return views;
  }

  /** {@link Communicator#allToAllV} whose result is a leaf that sends its gradient back. */
  public NDArray allToAllV(NDArray send, long[] sendRows, long[] recvRows) {
    return allToAllV(send, sendRows, recvRows, "all-to-all");
  }

  /** {@link #allToAllV(NDArray, long[], long[])}, named {@code label} in {@link BackwardPhases}. */
  public NDArray allToAllV(NDArray send, long[] sendRows, long[] recvRows, String label) {
    NDArray recv = comm.allToAllV(send, sendRows, recvRows);
    if (recording) {
      Gradients.leaf(recv);
      record(new AllToAllEdge(comm, send, recv, sendRows.clone(), recvRows.clone()), label);
    }
    return recv;
  }

  private void record(TapeEdge edge, String label) {
    edges.add(edge);
    labels.add(label);
  }

  /**
   * Lends tensors to helpers and borrows others, in one batch of point-to-point messages. The
   * returned tensors (in the order of {@code borrow}) are leaves whose gradients return to their
   * owners in backward. Every rank calls this once per layer, even with nothing to exchange.
   */
  public NDList exchangeWeights(List<WeightLoan> lend, List<PeerRecv> borrow, NDManager manager) {
    PendingExchange pending = startWeightExchange(lend, borrow, manager);
    pending.await();
    return pending.received();
  }

  /**
   * {@link #exchangeWeights}, started so that device work queued before the await (the native
   * experts) runs while the weights travel; the edge is recorded now, at the exchange's place in
   * the call order.
   */
  public PendingExchange startWeightExchange(
      List<WeightLoan> lend, List<PeerRecv> borrow, NDManager manager) {
    List<PeerSend> sends = new ArrayList<>(lend.size());
    for (WeightLoan loan : lend) {
      sends.add(new PeerSend(loan.peer(), loan.local()));
    }
    PendingExchange pending = comm.startSendRecv(sends, borrow, manager);
    NDList received = pending.received();
    if (recording) {
      List<WeightLoan> borrowed = new ArrayList<>(borrow.size());
      for (int i = 0; i < borrow.size(); i++) {
        borrowed.add(new WeightLoan(borrow.get(i).peer(), Gradients.leaf(received.get(i))));
      }
      record(new WeightEdge(comm, manager, List.copyOf(lend), borrowed), "weights");
    }
    return pending;
  }

  /**
   * Backward from {@code output} with upstream gradient {@code outputGradient} (ones of a scalar
   * loss), then through every recorded cut in reverse forward order. All ranks must call it.
   */
  public void backward(NDArray output, NDArray outputGradient) {
    backward(output, outputGradient, BackwardPhases.NONE);
  }

  /** {@link #backward(NDArray, NDArray)}, telling {@code phases} as each part starts. */
  public void backward(NDArray output, NDArray outputGradient, BackwardPhases phases) {
    if (!recording) {
      throw new IllegalStateException("backward on an inference tape: nothing was recorded");
    }
    phases.enter("bwd-output");
    Gradients.backward(output, outputGradient);
    for (int i = edges.size() - 1; i >= 0; i--) {
      phases.enter("bwd-" + labels.get(i));
      edges.get(i).propagate();
    }
    phases.enter("bwd-done");
    edges.clear();
    labels.clear();
  }

  /** Backward from a scalar loss. */
  public void backward(NDArray loss) {
    backward(loss, BackwardPhases.NONE);
  }

  /** {@link #backward(NDArray)}, telling {@code phases} as each part starts. */
  public void backward(NDArray loss, BackwardPhases phases) {
    DataType type = Aten.dtype(loss);
    try (NDArray ones = Aten.zerosLike(loss, type)) {
      backward(loss, ones.addi(Scalars.constant(1.0, type)), phases);
    }
  }
}
