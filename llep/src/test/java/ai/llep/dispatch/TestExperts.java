package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.llep.tape.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * Two expert functions for the dispatcher's tests, which cannot use the model's (llep does not
 * depend on models): a SwiGLU in torch's Linear layout, and a clamped, biased gated unit with gate
 * and up interleaved in one [D, 2F] matrix laid out [in, out], as gpt-oss stores its experts. The
 * test versions differ from the model's in their constants, which is all the dispatcher can tell.
 */
final class TestExperts {
  private TestExperts() {}

  /** Mixtral's expert: {@code down(silu(gate x) * up x)}, optionally with biases. */
  record SwiGlu(int hidden, int ffn, boolean bias) implements ExpertFunction {
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
    public NDArray forward(ExpertGroup g) {
      NDArray x = g.input();
      NDArray gate = g.linear(x, g.weight(0), bias ? g.weight(3) : null);
      NDArray up = g.linear(x, g.weight(1), bias ? g.weight(4) : null);
      NDArray hidden = gate.mul(Activation.sigmoid(gate)).mul(up);
      return g.linear(hidden, g.weight(2), bias ? g.weight(5) : null);
    }

    @Override
    public String toString() {
      return "swiglu" + (bias ? " with biases" : "");
    }
  }

  /**
   * gpt-oss's shape of expert with other constants: {@code gate_up [D, 2F]} (gate at even columns,
   * up at odd ones) and its bias [2F], {@code down [F, D]} and its bias [D]; the gate clamped above
   * at {@code limit}, up to [-limit, limit], then {@code (up + 1) * gate * sigmoid(alpha * gate)}.
   */
  record ClampedGlu(int hidden, int ffn, double alpha, double limit) implements ExpertFunction {
    @Override
    public List<Shape> expertShapes() {
      return List.of(
          new Shape(hidden, 2L * ffn),
          new Shape(2L * ffn),
          new Shape(ffn, hidden),
          new Shape(hidden));
    }

    @Override
    public NDArray forward(ExpertGroup g) {
      NDArray gateUp = g.matmul(g.input(), g.weight(0), g.weight(1));
      Shape shape = gateUp.getShape();
      NDArray pairs = gateUp.reshape(shape.slice(0, shape.dimension() - 1).add(ffn, 2));
      NDArray gate = pairs.get(new NDIndex("..., 0")).clip(Double.NEGATIVE_INFINITY, limit);
      NDArray up = pairs.get(new NDIndex("..., 1")).clip(-limit, limit);
      // Scalars.mul: DJL's mul(Number) frees the constant its backward reads.
      NDArray glu = gate.mul(Activation.sigmoid(Scalars.mul(gate, alpha)));
      return g.matmul(up.add(1).mul(glu), g.weight(2), g.weight(3));
    }

    @Override
    public String toString() {
      return "clamped glu";
    }
  }
}
