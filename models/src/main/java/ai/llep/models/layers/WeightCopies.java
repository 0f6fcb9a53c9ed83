package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.aten.Aten;
import ai.llep.tape.Gradients;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Where the gradients of a training pass's weights go instead of into the weights. While one is
 * open on a thread, {@link StepView} gives each use of a tracked parameter (with autograd on) its
 * own copy that is a leaf: the backward leaves that use's gradient on the copy, a tensor autograd
 * made (never added into a zero-filled one), and nothing reaches the parameter. When the manager of
 * the pass that made the copy closes, the copy's gradient is kept here (through a second handle to
 * the copy, so the pass frees the copy as it frees everything else); {@link #take} hands the
 * gradients over in the reverse order of use (the order autograd adds them in).
 *
 * <p>A copy whose manager closes before any gradient reached it (a scope ended before the backward,
 * or a use the loss did not depend on) stays until {@link #take}, which reads it then.
 */
public final class WeightCopies implements AutoCloseable {
  private static final ThreadLocal<WeightCopies> OPEN = new ThreadLocal<>();

  /** One use's gradient: the parameter's index in the tracked list, and the use's number. */
  public record Received(int parameter, long use, NDArray gradient) {}

  private final Map<NDArray, Integer> tracked = new IdentityHashMap<>();
  private final NDManager manager;
  private final List<Received> received = new ArrayList<>();
  private final List<Pending> unread = new ArrayList<>();
  private long uses;
  private boolean closed;

  private WeightCopies(List<NDArray> parameters, NDManager manager) {
    for (int i = 0; i < parameters.size(); i++) {
      tracked.put(parameters.get(i), i);
    }
    this.manager = manager.newSubManager();
  }

  /**
   * Opens the copies of {@code parameters} on this thread, until {@link #close}. Their gradients
   * live under a sub-manager of {@code manager} until taken.
   *
   * @throws IllegalStateException when copies are open on this thread already
   */
  public static WeightCopies open(List<NDArray> parameters, NDManager manager) {
    if (OPEN.get() != null) {
      throw new IllegalStateException("weight copies are open on this thread already");
    }
    WeightCopies copies = new WeightCopies(parameters, manager);
    OPEN.set(copies);
    return copies;
  }

  /** The copies open on this thread, or null. */
  static WeightCopies current() {
    return OPEN.get();
  }

  boolean tracks(NDArray parameter) {
    return tracked.containsKey(parameter);
  }

  /**
   * Makes {@code copy} (of {@code parameter}, under {@code pass}, which frees it with what is
   * computed from it) a leaf that records its gradient; a second handle to it, kept here, reads the
   * gradient when {@code pass} closes.
   */
  NDArray leaf(NDArray parameter, NDArray copy, NDManager pass) {
    copy.setRequiresGradient(true);
    Pending pending = new Pending(tracked.get(parameter), uses++, Aten.sameTensor(copy, manager));
    pass.attachInternal(UUID.randomUUID().toString(), pending);
    return copy;
  }

  /**
   * Every gradient received since the last call, latest use first; the caller closes them. Uses
   * that received none are left out.
   */
  public List<Received> take() {
    for (Pending pending : List.copyOf(unread)) {
      pending.read();
    }
    unread.clear();
    List<Received> out = new ArrayList<>(received);
    received.clear();
    out.sort(Comparator.comparingLong(Received::use).reversed());
    return out;
  }

  @Override
  public void close() {
    if (OPEN.get() == this) {
      OPEN.remove();
    }
    for (Pending pending : unread) {
      pending.copy.close();
    }
    unread.clear();
    received.clear();
    closed = true;
    manager.close();
  }

  /** One use's copy, read when its pass closes. */
  private final class Pending implements AutoCloseable {
    private final int parameter;
    private final long use;
    private final NDArray copy;

    Pending(int parameter, long use, NDArray copy) {
      this.parameter = parameter;
      this.use = use;
      this.copy = copy;
    }

    /** At the pass's end: the gradient kept (the copy freed), or the copy kept to read later. */
    @Override
    public void close() {
      if (closed) {
        return;
      }
      NDArray gradient = Gradients.held(copy);
      if (gradient == null) {
        unread.add(this);
        return;
      }
      keep(gradient);
    }

    void read() {
      NDArray gradient = Gradients.held(copy);
      if (gradient == null) {
        copy.close();
        return;
      }
      keep(gradient);
    }

    private void keep(NDArray gradient) {
      gradient.attach(manager);
      received.add(new Received(parameter, use, gradient));
      copy.close();
    }
  }
}
