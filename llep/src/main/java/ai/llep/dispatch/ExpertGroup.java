package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.device.HostUpload;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of one or more experts and those experts' weights, in one of three layouts, with the
 * projections an {@link ExpertFunction} builds its computation from. The function's element-wise
 * steps do not depend on the layout; each projection runs as the layout calls for:
 *
 * <ul>
 *   <li>{@link Layout#SINGLE}: one expert's rows [R, in] and its own tensors; one GEMM.
 *   <li>{@link Layout#BATCHED}: E experts' rows padded to M each, [E, M, in], and their stacked
 *       tensors; one batched GEMM ({@link ExpertBatching} decides which experts share one).
 *   <li>{@link Layout#GROUPED}: E experts' rows back to back in expert order, [G, in], with each
 *       expert's row count, and their stacked tensors; one grouped GEMM ({@link GroupedGemm}).
 * </ul>
 *
 * <p>Weights are passed as the group holds them ({@link #weight}): an expert's own tensor in the
 * single layout, the stacked [E, ...] tensor in the others.
 */
public final class ExpertGroup {
  /** How the rows and weights of a group are laid out. */
  public enum Layout {
    SINGLE,
    BATCHED,
    GROUPED
  }

  private final Layout layout;
  private final NDArray input;
  private final List<NDArray> weights;
  private long[] rows_E;
  private NDArray offsets_E;
  private NDArray expertOfRow_G;
  private NDArray rowExperts_GE;

  private ExpertGroup(Layout layout, NDArray input, List<NDArray> weights, long[] rows_E) {
    this.layout = layout;
    this.input = input;
    this.weights = List.copyOf(weights);
    this.rows_E = rows_E;
  }

  private ExpertGroup(NDArray x_GD, ExpertStack stack, NDArray offsets_E, NDArray expertOfRow_G) {
    this(Layout.GROUPED, x_GD, stack.tensors(), null);
    this.offsets_E = offsets_E;
    this.expertOfRow_G = expertOfRow_G;
  }

  /** One expert: {@code x_RD} its rows, {@code tensors} its tensors in transfer order. */
  public static ExpertGroup single(NDArray x_RD, List<NDArray> tensors) {
    if (x_RD.getShape().dimension() != 2) {
      throw new IllegalArgumentException("an expert's rows are [R, D], got " + x_RD.getShape());
    }
    return new ExpertGroup(Layout.SINGLE, x_RD, tensors, null);
  }

  /** Every expert of {@code stack} on M rows each: {@code x_EMD} is [E, M, D]. */
  public static ExpertGroup batched(NDArray x_EMD, ExpertStack stack) {
    Shape shape = x_EMD.getShape();
    if (shape.dimension() != 3 || shape.get(0) != stack.size()) {
      throw new IllegalArgumentException(
          "expected rows ["
              + stack.size()
              + ", M, D] for a stack of "
              + stack.size()
              + ", got "
              + shape);
    }
    return new ExpertGroup(Layout.BATCHED, x_EMD, stack.tensors(), null);
  }

  /**
   * The experts of {@code stack} on rows {@code x_GD} in stack order: expert e's rows follow those
   * of the experts before it, {@code rows_E[e]} of them (0 for an expert without rows).
   */
  public static ExpertGroup grouped(NDArray x_GD, ExpertStack stack, long[] rows_E) {
    long total = 0;
    for (long rows : rows_E) {
      if (rows < 0) {
        throw new IllegalArgumentException("row counts must be >= 0, got " + rows);
      }
      total += rows;
    }
    if (rows_E.length != stack.size()
        || x_GD.getShape().dimension() != 2
        || x_GD.getShape().get(0) != total) {
      throw new IllegalArgumentException(
          "expected "
              + total
              + " grouped rows [G, D] of "
              + stack.size()
              + " experts, got "
              + x_GD.getShape()
              + " and "
              + rows_E.length
              + " row counts");
    }
    return new ExpertGroup(Layout.GROUPED, x_GD, stack.tensors(), rows_E.clone());
  }

  /**
   * {@link #grouped(NDArray, ExpertStack, long[])} described on the device alone, so that building
   * the group needs nothing from it: {@code offsets_E} the int32 end row of each expert's rows (the
   * grouped GEMM's offsets; the last is G), {@code expertOfRow_G} the int64 stack index of each
   * row's expert. Only the CPU's GEMM loop copies the offsets to the host.
   */
  public static ExpertGroup grouped(
      NDArray x_GD, ExpertStack stack, NDArray offsets_E, NDArray expertOfRow_G) {
    long rows = x_GD.getShape().dimension() == 2 ? x_GD.getShape().get(0) : -1;
    if (rows < 0
        || offsets_E.getShape().dimension() != 1
        || offsets_E.getShape().get(0) != stack.size()
        || offsets_E.getDataType() != DataType.INT32
        || expertOfRow_G.getShape().dimension() != 1
        || expertOfRow_G.getShape().get(0) != rows) {
      throw new IllegalArgumentException(
          "expected grouped rows [G, D], "
              + stack.size()
              + " int32 offsets and G expert ids for a stack of "
              + stack.size()
              + ", got "
              + x_GD.getShape()
              + ", "
              + offsets_E.getShape()
              + " "
              + offsets_E.getDataType()
              + " and "
              + expertOfRow_G.getShape());
    }
    return new ExpertGroup(x_GD, stack, offsets_E, expertOfRow_G);
  }

  public Layout layout() {
    return layout;
  }

  /** The rows in this group's layout. */
  public NDArray input() {
    return input;
  }

  /** Tensor {@code i} (transfer order): the expert's own, or stacked [E, ...] for many. */
  public NDArray weight(int i) {
    return weights.get(i);
  }

  /**
   * {@code x W^T + b} per expert, with W in torch's {@code Linear} layout [out, in] and b [out]
   * (both per expert; stacked in the batched and grouped layouts), or no bias when null.
   */
  public NDArray linear(NDArray x, NDArray weight, NDArray bias) {
    return switch (layout) {
      case SINGLE -> addBias(x.matMul(weight.transpose()), bias);
      case BATCHED -> addBias(x.batchMatMul(weight.transpose(0, 2, 1)), bias);
      case GROUPED -> addBias(grouped(x, weight.transpose(0, 2, 1)), bias);
    };
  }

  /** {@code x W + b} per expert, with W laid out [in, out] and b [out] (or null). */
  public NDArray matmul(NDArray x, NDArray weight, NDArray bias) {
    return switch (layout) {
      case SINGLE -> addBias(x.matMul(weight), bias);
      case BATCHED -> addBias(x.batchMatMul(weight), bias);
      case GROUPED -> addBias(grouped(x, weight), bias);
    };
  }

  private NDArray grouped(NDArray x, NDArray w_EKN) {
    boolean gpu = x.getDevice().isGpu();
    return GroupedGemm.multiply(x, w_EKN, gpu ? null : rows(), gpu ? offsets() : null);
  }

  private NDArray addBias(NDArray y, NDArray bias) {
    if (bias == null) {
      return y;
    }
    return switch (layout) {
      case SINGLE -> y.add(bias);
      case BATCHED -> y.add(bias.expandDims(1));
      case GROUPED -> y.add(rowExperts(Aten.dtype(bias)).matMul(bias));
    };
  }

  /**
   * Each grouped row's expert as a one-hot row [G, E] of {@code type}: a grouped row's bias is this
   * times the stacked biases. A gather by expert would do in the forward, but its backward adds the
   * rows' gradients one by one in the bias's type (in bfloat16 off by percents over a few hundred
   * rows), where this GEMM's backward sums them with float32 accumulation (seen on one H200 with
   * torch 2.11, bfloat16: relative error of the bias gradient 3.7e-3 against 1.5e-2 for the
   * gather); its cost, G x E x out multiply-adds, is small beside the experts' own GEMMs.
   */
  private NDArray rowExperts(DataType type) {
    if (rowExperts_GE == null) {
      int experts = Math.toIntExact(weights.getFirst().getShape().get(0));
      if (type == DataType.BFLOAT16) {
        try (NDArray wide = expertOfRow().oneHot(experts, DataType.FLOAT32)) {
          rowExperts_GE = Aten.cast(wide, type);
        }
      } else {
        rowExperts_GE = expertOfRow().oneHot(experts, type);
      }
    }
    return rowExperts_GE;
  }

  /** Each expert's row count; a group described on the device copies its offsets once. */
  private long[] rows() {
    if (rows_E == null) {
      int[] ends = offsets_E.toIntArray();
      rows_E = new long[ends.length];
      for (int e = 0; e < ends.length; e++) {
        rows_E[e] = ends[e] - (e == 0 ? 0 : ends[e - 1]);
      }
    }
    return rows_E;
  }

  /** The int32 end row of each expert, on the rows' device: the grouped GEMM's offsets. */
  NDArray offsets() {
    if (offsets_E == null) {
      int[] ends = new int[rows_E.length];
      long end = 0;
      for (int e = 0; e < ends.length; e++) {
        end += rows_E[e];
        ends[e] = Math.toIntExact(end);
      }
      offsets_E = HostUpload.of(input.getManager(), ends);
    }
    return offsets_E;
  }

  /**
   * The stack index of each grouped row's expert, made on the device from one entry per expert: a
   * mark at the first row of each expert with rows (the step from the previous such expert), then a
   * cumulative sum.
   */
  NDArray expertOfRow() {
    if (expertOfRow_G == null) {
      NDManager manager = input.getManager();
      long total = input.getShape().get(0);
      List<Long> starts = new ArrayList<>();
      List<Long> steps = new ArrayList<>();
      long row = 0;
      int previous = -1;
      for (int e = 0; e < rows_E.length; e++) {
        if (rows_E[e] > 0) {
          starts.add(row);
          steps.add(previous < 0 ? (long) e : e - previous);
          previous = e;
        }
        row += rows_E[e];
      }
      NDArray marks = manager.zeros(new Shape(total), DataType.INT64);
      if (!starts.isEmpty()) {
        NDArray at = HostUpload.of(manager, starts.stream().mapToLong(Long::longValue).toArray());
        NDArray by = HostUpload.of(manager, steps.stream().mapToLong(Long::longValue).toArray());
        marks = marks.put(at, by);
      }
      expertOfRow_G = marks.cumSum();
    }
    return expertOfRow_G;
  }
}
