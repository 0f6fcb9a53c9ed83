package ai.llep.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.Communicator;
import ai.llep.tape.GradMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The float32 master weights of one rank's chunk of the replicated parameters, for bf16 ZeRO-1
 * (DeepSpeed's and Megatron's bf16 optimizer): the model holds every replicated parameter in
 * bfloat16 only (the compute copy each forward reads directly), and the float32 masters that AdamW
 * updates exist once over all ranks, split as the moments are ({@link ElementPartition}).
 *
 * <p>{@link #take} copies this rank's elements of the float32 parameters, then turns every
 * replicated parameter into bfloat16 in place ({@link Aten#replaceData}: the same handles, so the
 * model's layers and a tied head see it), freeing their float32 elements. After each update, {@link
 * #compute} casts the chunk to bfloat16 for the all-gather that writes every rank's parameters.
 *
 * <p>Shape suffixes: C elements of a chunk (padded to {@link ElementPartition#chunk()}), P ranks, L
 * the longest part of one parameter any rank holds.
 */
final class MasterChunk implements AutoCloseable {
  private final NDManager manager;
  private final ElementPartition partition;
  private final int rank;
  private final NDArray master_C;
  private final Map<String, NDArray> views = new LinkedHashMap<>();

  private MasterChunk(NDManager manager, ElementPartition partition, int rank, NDArray master_C) {
    this.manager = manager;
    this.partition = partition;
    this.rank = rank;
    this.master_C = master_C;
  }

  /**
   * Copies rank {@code rank}'s elements of {@code replicated} (float32) as its masters, then makes
   * the parameters bfloat16. The parameters must have no gradient yet.
   */
  @SuppressWarnings("try") // grad mode acts by being open, not through calls
  static MasterChunk take(List<OptimParam> replicated, ElementPartition partition, int rank) {
    NDArray first = replicated.getFirst().array();
    NDManager manager = first.getManager().newSubManager();
    try (GradMode off = GradMode.disabled();
        NDManager scope = manager.newSubManager()) {
      NDList parts = new NDList();
      List<ElementPartition.Slice> slices = partition.slices(rank);
      for (ElementPartition.Slice slice : slices) {
        NDArray array = replicated.get(slice.tensor()).array();
        requireFloat32(replicated.get(slice.tensor()));
        NDArray flat = array.flatten().get(new NDIndex(slice.start() + ":" + slice.end()));
        flat.attach(scope);
        parts.add(flat);
      }
      long held = slices.stream().mapToLong(ElementPartition.Slice::length).sum();
      if (held < partition.chunk()) {
        parts.add(
            scope.zeros(new Shape(partition.chunk() - held), DataType.FLOAT32, first.getDevice()));
      }
      NDArray master_C =
          parts.isEmpty()
              ? manager.zeros(new Shape(0), DataType.FLOAT32, first.getDevice())
              : NDArrays.concat(parts, 0).duplicate();
      master_C.attach(manager);
      NDScope.unregister(master_C);
      MasterChunk chunk = new MasterChunk(manager, partition, rank, master_C);
      long offset = 0;
      for (ElementPartition.Slice slice : slices) {
        NDArray view = master_C.get(new NDIndex(offset + ":" + (offset + slice.length())));
        view.attach(manager);
        NDScope.unregister(view);
        chunk.views.put(replicated.get(slice.tensor()).name(), view);
        offset += slice.length();
      }
      for (OptimParam param : replicated) {
        requireFloat32(param);
        NDArray array = param.array();
        NDArray bf16 = Aten.cast(array, DataType.BFLOAT16);
        Aten.replaceData(array, bf16);
        bf16.close();
      }
      return chunk;
    } catch (RuntimeException e) {
      manager.close();
      throw e;
    }
  }

  private static void requireFloat32(OptimParam param) {
    DataType type = Aten.dtype(param.array());
    if (type != DataType.FLOAT32) {
      throw new IllegalArgumentException(
          "parameter "
              + param.name()
              + " is "
              + type
              + "; bf16 master weights are taken from float32 parameters");
    }
  }

  /** This rank's masters of each replicated parameter it holds elements of, by name (views). */
  Map<String, NDArray> views() {
    return views;
  }

  /** The chunk in bfloat16, padded to {@link ElementPartition#chunk()}, attached to scope. */
  NDArray compute(NDManager scope) {
    NDArray bf16_C = Aten.cast(master_C, DataType.BFLOAT16);
    bf16_C.attach(scope);
    return bf16_C;
  }

  /** Bytes of float32 masters this rank holds of parameter {@code name} (0 when none). */
  long bytes(String name) {
    NDArray view = views.get(name);
    return view == null ? 0 : Float.BYTES * view.size();
  }

  /**
   * Collective: parameter {@code tensor}'s float32 masters whole, gathered from the ranks that hold
   * its elements, of shape {@code shape}, attached to {@code scope}. NOTE: one all-gather of P * L
   * floats, L at most a chunk.
   */
  NDArray gather(int tensor, Shape shape, Communicator comm, NDManager scope) {
    long from = partition.offset(tensor);
    long to = from + partition.sizes().get(tensor);
    long[] lengths = new long[partition.worldSize()];
    long longest = 0;
    for (int r = 0; r < lengths.length; r++) {
      lengths[r] = Math.max(0, Math.min(to, partition.end(r)) - Math.max(from, partition.start(r)));
      longest = Math.max(longest, lengths[r]);
    }
    if (longest == 0) {
      return scope.zeros(shape, DataType.FLOAT32, master_C.getDevice());
    }
    NDList mine = new NDList();
    if (lengths[rank] > 0) {
      long start = Math.max(from, partition.start(rank)) - partition.start(rank);
      NDArray part = master_C.get(new NDIndex(start + ":" + (start + lengths[rank])));
      part.attach(scope);
      mine.add(part);
    }
    if (lengths[rank] < longest) {
      mine.add(
          scope.zeros(new Shape(longest - lengths[rank]), DataType.FLOAT32, master_C.getDevice()));
    }
    NDArray mine_L = mine.size() == 1 ? mine.getFirst() : NDArrays.concat(mine, 0);
    mine_L.attach(scope);
    NDArray all_PL = comm.allGather(mine_L);
    all_PL.attach(scope);
    NDList pieces = new NDList();
    for (int r = 0; r < lengths.length; r++) {
      if (lengths[r] > 0) {
        NDArray piece = all_PL.get(new NDIndex(r + ", 0:" + lengths[r]));
        piece.attach(scope);
        pieces.add(piece);
      }
    }
    NDArray whole = pieces.size() == 1 ? pieces.getFirst() : NDArrays.concat(pieces, 0);
    NDArray shaped = whole.reshape(shape);
    shaped.attach(scope);
    return shaped;
  }

  @Override
  public void close() {
    manager.close();
  }
}
