package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
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
 * the ones it helps with, in point-to-point messages posted at once and awaited only when a
 * borrowed expert is needed, so that native experts compute while the weights travel. Each borrowed
 * expert arrives as the tensors of the {@link ExpertFunction}, with the declared shapes and the
 * dtype of this rank's own stack. Trainable tensors go through the tape, which returns their
 * gradients to the owners; frozen ones ({@link ExpertFunction#frozen}) travel outside it, with no
 * gradient, and a helper with a {@link FrozenWeightCache} keeps them across steps: they then move
 * only when its cache lacks them.
 */
final class Loans {
  private final PendingExchange trainable;
  private final PendingExchange frozen;
  private final List<Integer> experts;
  private final boolean[] frozenTensor;
  private final Map<Integer, List<NDArray>> cached;
  private final FrozenWeightCache.Layer cache;
  private final int rank;
  private final long bytesMoved;
  private final long frozenBytesMoved;
  private final int cacheHits;
  private Map<Integer, List<NDArray>> borrowed;

  private Loans(
      PendingExchange trainable,
      PendingExchange frozen,
      List<Integer> experts,
      boolean[] frozenTensor,
      Map<Integer, List<NDArray>> cached,
      FrozenWeightCache.Layer cache,
      int rank,
      long[] moved,
      int cacheHits) {
    this.rank = rank;
    this.trainable = trainable;
    this.frozen = frozen;
    this.experts = experts;
    this.frozenTensor = frozenTensor;
    this.cached = cached;
    this.cache = cache;
    this.bytesMoved = moved[0];
    this.frozenBytesMoved = moved[1];
    this.cacheHits = cacheHits;
  }

  /**
   * Posts the exchange. The plan lists transfers in the same order on every rank, so lends and
   * borrows pair up without tags; every rank decides every helper's cache hits the same way ({@link
   * FrozenWeightCache}), so an owner knows which frozen tensors to send.
   *
   * @param localIndex the index in this rank's stack of a native expert
   * @param cache this layer's cache of borrowed frozen tensors, or null for none
   */
  static Loans start(
      DistributedTape tape,
      Plan plan,
      NativeExperts natives,
      ExpertFunction function,
      IntUnaryOperator localIndex,
      NDManager manager,
      FrozenWeightCache.Layer cache) {
    int rank = tape.comm().rank();
    Posting post = new Posting(function, natives.stack().tensors());
    for (WeightTransfer transfer : plan.transfers()) {
      boolean hit =
          post.frozenBytes > 0
              && cache != null
              && cache.admit(rank, transfer.helper(), transfer.expert(), post.frozenBytes, manager);
      post.count(hit);
      if (transfer.owner() == rank) {
        post.lend(transfer.helper(), natives.expert(localIndex.applyAsInt(transfer.expert())), hit);
      }
      if (transfer.helper() == rank) {
        post.borrow(
            transfer.owner(), transfer.expert(), hit ? cache.tensors(transfer.expert()) : null);
      }
    }
    PendingExchange frozen = tape.comm().startSendRecv(post.lendFrozen, post.borrowFrozen, manager);
    PendingExchange trainable = tape.startWeightExchange(post.lend, post.borrow, manager);
    return new Loans(
        trainable,
        frozen,
        post.experts,
        post.isFrozen,
        post.hits,
        cache,
        rank,
        post.moved,
        post.cacheHits);
  }

  /** The messages of one exchange, split into trainable and frozen tensors, and what they move. */
  private static final class Posting {
    final List<Shape> shapes;
    final List<NDArray> stacked;
    final boolean[] isFrozen;
    final long[] bytes;
    long frozenBytes;
    final List<WeightLoan> lend = new ArrayList<>();
    final List<PeerRecv> borrow = new ArrayList<>();
    final List<PeerSend> lendFrozen = new ArrayList<>();
    final List<PeerRecv> borrowFrozen = new ArrayList<>();
    final List<Integer> experts = new ArrayList<>();
    final Map<Integer, List<NDArray>> hits = new HashMap<>();
    final long[] moved = new long[2];
    int cacheHits;

    Posting(ExpertFunction function, List<NDArray> stacked) {
      this.shapes = function.expertShapes();
      this.stacked = stacked;
      this.isFrozen = new boolean[shapes.size()];
      this.bytes = new long[shapes.size()];
      for (int i = 0; i < isFrozen.length; i++) {
        isFrozen[i] = function.frozen(i);
        bytes[i] = shapes.get(i).size() * Aten.dtype(stacked.get(i)).getNumOfBytes();
        frozenBytes += isFrozen[i] ? bytes[i] : 0;
      }
    }

    /** Counts one transfer's bytes: [0] all moved, [1] frozen moved. */
    void count(boolean hit) {
      cacheHits += hit ? 1 : 0;
      for (int i = 0; i < bytes.length; i++) {
        long sent = isFrozen[i] && hit ? 0 : bytes[i];
        moved[0] += sent;
        moved[1] += isFrozen[i] ? sent : 0;
      }
    }

    void lend(int helper, List<NDArray> tensors, boolean hit) {
      for (int i = 0; i < tensors.size(); i++) {
        if (!isFrozen[i]) {
          lend.add(new WeightLoan(helper, tensors.get(i)));
        } else if (!hit) {
          lendFrozen.add(new PeerSend(helper, tensors.get(i)));
        }
      }
    }

    /**
     * @param kept the frozen tensors the cache holds for it (a hit), or null
     */
    void borrow(int owner, int expert, List<NDArray> kept) {
      for (int i = 0; i < shapes.size(); i++) {
        PeerRecv recv = new PeerRecv(owner, shapes.get(i), Aten.dtype(stacked.get(i)));
        if (!isFrozen[i]) {
          borrow.add(recv);
        } else if (kept == null) {
          borrowFrozen.add(recv);
        }
      }
      experts.add(expert);
      if (kept != null) {
        hits.put(expert, kept);
      }
    }
  }

  /** Bytes of weights the whole exchange moves (over all ranks): the same number on every rank. */
  long bytesMoved() {
    return bytesMoved;
  }

  /** Bytes of frozen tensors the exchange moves (over all ranks), part of {@link #bytesMoved}. */
  long frozenBytesMoved() {
    return frozenBytesMoved;
  }

  /** Transfers whose frozen tensors the helper had kept, so that they did not move. */
  int cacheHits() {
    return cacheHits;
  }

  /** Waits for the borrowed experts (on a GPU only the device waits) and returns them by id. */
  Map<Integer, List<NDArray>> await() {
    if (borrowed == null) {
      frozen.await();
      trainable.await();
      NDList trained = trainable.received();
      NDList kept = frozen.received();
      int nextTrained = 0;
      int nextFrozen = 0;
      borrowed = new HashMap<>();
      for (int expert : experts) {
        List<NDArray> hit = cached.get(expert);
        List<NDArray> arrived = new ArrayList<>(frozenTensor.length);
        List<NDArray> frozenArrived = new ArrayList<>();
        for (int i = 0; i < frozenTensor.length; i++) {
          if (!frozenTensor[i]) {
            arrived.add(trained.get(nextTrained++));
          } else if (hit != null) {
            arrived.add(hit.get(frozenArrived.size()));
            frozenArrived.add(hit.get(frozenArrived.size()));
          } else {
            NDArray tensor = kept.get(nextFrozen++);
            arrived.add(tensor);
            frozenArrived.add(tensor);
          }
        }
        if (hit == null && cache != null && !frozenArrived.isEmpty()) {
          cache.keep(rank, expert, frozenArrived);
        }
        borrowed.putIfAbsent(expert, List.copyOf(arrived));
      }
    }
    return borrowed;
  }

  /** Whether the exchange was awaited. */
  boolean awaited() {
    return borrowed != null;
  }
}
