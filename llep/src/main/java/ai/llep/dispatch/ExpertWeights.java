package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;
import java.util.ArrayList;
import java.util.List;

/**
 * The weights of one SwiGLU expert, in Hugging Face's layout: {@code gate} and {@code up} are [F,
 * D], {@code down} is [D, F]; the biases ([F], [F], [D]) are either all present or all null.
 */
public record ExpertWeights(
    NDArray gate, NDArray up, NDArray down, NDArray gateBias, NDArray upBias, NDArray downBias) {
  public ExpertWeights {
    if (gate == null || up == null || down == null) {
      throw new IllegalArgumentException("an expert needs gate, up and down weights");
    }
    boolean anyBias = gateBias != null || upBias != null || downBias != null;
    boolean allBias = gateBias != null && upBias != null && downBias != null;
    if (anyBias && !allBias) {
      throw new IllegalArgumentException(
          "expert biases must be given for gate, up and down, or none");
    }
    if (!gate.getShape().equals(up.getShape())
        || gate.getShape().dimension() != 2
        || down.getShape().get(0) != gate.getShape().get(1)
        || down.getShape().get(1) != gate.getShape().get(0)) {
      throw new IllegalArgumentException(
          "expert shapes must be gate [F, D], up [F, D], down [D, F]; got gate "
              + gate.getShape()
              + ", up "
              + up.getShape()
              + ", down "
              + down.getShape());
    }
  }

  public static ExpertWeights withoutBias(NDArray gate, NDArray up, NDArray down) {
    return new ExpertWeights(gate, up, down, null, null, null);
  }

  public boolean hasBias() {
    return gateBias != null;
  }

  /** The tensors in transfer order: gate, up, down, then the biases when present. */
  public List<NDArray> tensors() {
    List<NDArray> out = new ArrayList<>(List.of(gate, up, down));
    if (hasBias()) {
      out.addAll(List.of(gateBias, upBias, downBias));
    }
    return out;
  }

  /** The inverse of {@link #tensors()}. */
  public static ExpertWeights fromTensors(List<NDArray> tensors) {
    NDArray[] t = gateUpDownBiases(tensors, "an expert");
    return new ExpertWeights(t[0], t[1], t[2], t[3], t[4], t[5]);
  }

  /**
   * Tensors in transfer order (gate, up, down, then the three biases or none) as six, the biases
   * null when absent.
   */
  static NDArray[] gateUpDownBiases(List<NDArray> tensors, String what) {
    if (tensors.size() != 3 && tensors.size() != 6) {
      throw new IllegalArgumentException(what + " has 3 or 6 tensors, got " + tensors.size());
    }
    NDArray[] six = new NDArray[6];
    for (int i = 0; i < tensors.size(); i++) {
      six[i] = tensors.get(i);
    }
    return six;
  }

  /**
   * y = down(silu(gate(x)) * up(x)), one GEMM chain for all rows of {@code x_RD}; each projection
   * is one {@code linear} call (x W^T + b), with no transposed view to make.
   */
  public NDArray apply(NDArray x_RD) {
    NDArray gate_RF = project(x_RD, gate, gateBias);
    NDArray up_RF = project(x_RD, up, upBias);
    NDArray hidden_RF = gate_RF.mul(Activation.sigmoid(gate_RF)).mul(up_RF);
    return project(hidden_RF, down, downBias);
  }

  private static NDArray project(NDArray x, NDArray weight, NDArray bias) {
    return (bias == null ? Linear.linear(x, weight) : Linear.linear(x, weight, bias)).head();
  }
}
