package ai.llep.models.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.ExpertGroup;
import ai.llep.tape.Scalars;
import java.util.List;

/**
 * gpt-oss's expert, as transformers' {@code GptOssExperts} defines it: {@code gate_up = x W + b}
 * with gate and up interleaved along the last axis (gate at even columns, up at odd ones), the gate
 * clamped above at {@link #LIMIT}, up clamped to [-{@link #LIMIT}, {@link #LIMIT}], then {@code (up
 * + 1) * gate * sigmoid(ALPHA * gate)} and {@code down = h W + b}. The checkpoint lays the
 * projections out [in, out], so gate and up are one GEMM (one grouped GEMM over a group).
 *
 * <p>Tensors, in transfer order: gate_up [D, 2F], gate_up bias [2F], down [F, D], down bias [D].
 */
public record GptOssExperts(int hidden, int ffn) implements ExpertFunction {
  /** The sigmoid's slope, transformers' {@code GptOssExperts.alpha}. */
  public static final double ALPHA = 1.702;

  /** The clamp bound, transformers' {@code GptOssExperts.limit}. */
  public static final double LIMIT = 7.0;

  public GptOssExperts {
    if (hidden < 1 || ffn < 1) {
      throw new IllegalArgumentException(
          "a gpt-oss expert needs hidden and ffn >= 1, got " + hidden + " and " + ffn);
    }
  }

  @Override
  public List<Shape> expertShapes() {
    return List.of(
        new Shape(hidden, 2L * ffn),
        new Shape(2L * ffn),
        new Shape(ffn, hidden),
        new Shape(hidden));
  }

  @Override
  public NDArray forward(ExpertGroup group) {
    NDArray gateUp = group.matmul(group.input(), group.weight(0), group.weight(1));
    Shape shape = gateUp.getShape();
    NDArray pairs = gateUp.reshape(shape.slice(0, shape.dimension() - 1).add(ffn, 2));
    NDArray gate = Scalars.clip(pairs.get(new NDIndex("..., 0")), Double.NEGATIVE_INFINITY, LIMIT);
    NDArray up = Scalars.clip(pairs.get(new NDIndex("..., 1")), -LIMIT, LIMIT);
    NDArray glu = gate.mul(Activation.sigmoid(Scalars.mul(gate, ALPHA)));
    return group.matmul(Scalars.add(up, 1).mul(glu), group.weight(2), group.weight(3));
  }
}
