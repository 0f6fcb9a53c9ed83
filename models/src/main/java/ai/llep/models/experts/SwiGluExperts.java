package ai.llep.models.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.ExpertGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * The SwiGLU expert of Mixtral, Qwen3-MoE and OLMoE: {@code down(silu(gate(x)) * up(x))}, SiLU as
 * {@code x * sigmoid(x)}, each projection in torch's Linear layout ([out, in], {@code x W^T + b}).
 *
 * <p>Tensors, in transfer order: gate [F, D], up [F, D], down [D, F]; with biases also gate [F], up
 * [F] and down [D].
 */
public record SwiGluExperts(int hidden, int ffn, boolean bias) implements ExpertFunction {
  public SwiGluExperts {
    if (hidden < 1 || ffn < 1) {
      throw new IllegalArgumentException(
          "a SwiGLU expert needs hidden and ffn >= 1, got " + hidden + " and " + ffn);
    }
  }

  @Override
  public List<Shape> expertShapes() {
    List<Shape> shapes =
        new ArrayList<>(
            List.of(new Shape(ffn, hidden), new Shape(ffn, hidden), new Shape(hidden, ffn)));
    if (bias) {
      shapes.addAll(List.of(new Shape(ffn), new Shape(ffn), new Shape(hidden)));
    }
    return shapes;
  }

  @Override
  public NDArray forward(ExpertGroup group) {
    NDArray x = group.input();
    NDArray gate = group.linear(x, group.weight(0), bias ? group.weight(3) : null);
    NDArray up = group.linear(x, group.weight(1), bias ? group.weight(4) : null);
    NDArray hidden = gate.mul(Activation.sigmoid(gate)).mul(up);
    return group.linear(hidden, group.weight(2), bias ? group.weight(5) : null);
  }
}
