package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;

/** The dense MLP of non-MoE layers: {@code down(silu(gate(x)) * up(x))}, SiLU as x * sigmoid(x). */
public final class SwiGluMlp {
  private final Linear gate;
  private final Linear up;
  private final Linear down;

  public SwiGluMlp(Linear gate, Linear up, Linear down) {
    this.gate = gate;
    this.up = up;
    this.down = down;
  }

  public NDArray forward(NDArray x_TD) {
    NDArray gate_TF = gate.forward(x_TD);
    NDArray hidden_TF = gate_TF.mul(Activation.sigmoid(gate_TF)).mul(up.forward(x_TD));
    return down.forward(hidden_TF);
  }
}
