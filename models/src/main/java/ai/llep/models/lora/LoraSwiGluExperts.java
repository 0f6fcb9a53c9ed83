package ai.llep.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.ExpertGroup;
import ai.llep.tape.Scalars;
import java.util.ArrayList;
import java.util.List;

/**
 * The SwiGLU expert of Mixtral, Qwen3-MoE and OLMoE with LoRA on its frozen projections, as PEFT
 * adapts transformers 5's fused expert parameters: {@code gate_up_proj} (gate and up as one [2F, D]
 * matrix) gets one adapter, A [r, D] shared by both and B [2F, r] whose first F rows adapt gate;
 * {@code down_proj} gets A [r, F] and B [D, r]. PEFT adds {@code scale * B A} to the weight; this
 * adds {@code scale * (x A^T) B^T} to the projection, the same product in another order.
 *
 * <p>Tensors, in transfer order: gate [F, D], up [F, D], down [D, F] (frozen), then with {@code
 * gateUp} A [r, D] and B [2F, r], then with {@code down} A [r, F] and B [D, r].
 */
record LoraSwiGluExperts(int hidden, int ffn, int rank, double scale, boolean gateUp, boolean down)
    implements ExpertFunction {
  private static final int BASE = 3;

  LoraSwiGluExperts {
    if (!gateUp && !down) {
      throw new IllegalArgumentException("a LoRA expert adapts gate_up_proj, down_proj or both");
    }
  }

  @Override
  public List<Shape> expertShapes() {
    List<Shape> shapes =
        new ArrayList<>(
            List.of(new Shape(ffn, hidden), new Shape(ffn, hidden), new Shape(hidden, ffn)));
    if (gateUp) {
      shapes.add(new Shape(rank, hidden));
      shapes.add(new Shape(2L * ffn, rank));
    }
    if (down) {
      shapes.add(new Shape(rank, ffn));
      shapes.add(new Shape(hidden, rank));
    }
    return shapes;
  }

  @Override
  public boolean frozen(int i) {
    return i < BASE;
  }

  @Override
  public NDArray forward(ExpertGroup group) {
    NDArray x = group.input();
    NDArray gate = group.linear(x, group.weight(0), null);
    NDArray up = group.linear(x, group.weight(1), null);
    if (gateUp) {
      NDArray delta = adapter(group, x, BASE);
      gate = gate.add(delta.get(new NDIndex("..., :" + ffn)));
      up = up.add(delta.get(new NDIndex("..., " + ffn + ":")));
    }
    NDArray hidden = gate.mul(Activation.sigmoid(gate)).mul(up);
    NDArray out = group.linear(hidden, group.weight(2), null);
    return down ? out.add(adapter(group, hidden, gateUp ? BASE + 2 : BASE)) : out;
  }

  /** {@code scale * (x A^T) B^T} per expert with A and B at tensors {@code first}, first + 1. */
  private NDArray adapter(ExpertGroup group, NDArray x, int first) {
    NDArray low = group.linear(x, group.weight(first), null);
    return Scalars.mul(group.linear(low, group.weight(first + 1), null), scale);
  }
}
