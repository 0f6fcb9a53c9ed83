package ai.llep.dispatch;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Activation;
import java.util.ArrayList;
import java.util.List;

/**
 * A rank's native experts stored as stacked tensors, as gpt-oss checkpoints store them: {@code
 * gate} and {@code up} are [E, F, D], {@code down} is [E, D, F], the biases ([E, F], [E, F], [E,
 * D]) all present or all null. Expert {@code i} is the slice {@code [i]} of each, a view; a run of
 * consecutive experts computes as one batched GEMM chain over the stacked weights, with no copy of
 * them.
 */
public record ExpertStack(
    NDArray gate_EFD,
    NDArray up_EFD,
    NDArray down_EDF,
    NDArray gateBias_EF,
    NDArray upBias_EF,
    NDArray downBias_ED) {
  public ExpertStack {
    if (gate_EFD == null || up_EFD == null || down_EDF == null) {
      throw new IllegalArgumentException("an expert stack needs gate, up and down weights");
    }
    boolean anyBias = gateBias_EF != null || upBias_EF != null || downBias_ED != null;
    boolean allBias = gateBias_EF != null && upBias_EF != null && downBias_ED != null;
    if (anyBias && !allBias) {
      throw new IllegalArgumentException(
          "stacked expert biases must be given for gate, up and down, or none");
    }
    var gate = gate_EFD.getShape();
    var down = down_EDF.getShape();
    if (gate.dimension() != 3
        || !gate.equals(up_EFD.getShape())
        || down.dimension() != 3
        || down.get(0) != gate.get(0)
        || down.get(1) != gate.get(2)
        || down.get(2) != gate.get(1)) {
      throw new IllegalArgumentException(
          "stacked expert shapes must be gate [E, F, D], up [E, F, D], down [E, D, F]; got gate "
              + gate
              + ", up "
              + up_EFD.getShape()
              + ", down "
              + down);
    }
  }

  public static ExpertStack withoutBias(NDArray gate_EFD, NDArray up_EFD, NDArray down_EDF) {
    return new ExpertStack(gate_EFD, up_EFD, down_EDF, null, null, null);
  }

  /** The inverse of {@link #tensors()}. */
  public static ExpertStack of(List<NDArray> tensors) {
    NDArray[] t = ExpertWeights.gateUpDownBiases(tensors, "an expert stack");
    return new ExpertStack(t[0], t[1], t[2], t[3], t[4], t[5]);
  }

  /** Experts {@code [from, to)} as a stack of views. */
  public ExpertStack range(int from, int to) {
    checkRange(from, to);
    if (from == 0 && to == size()) {
      return this;
    }
    NDIndex experts = RunIndex.slice(from, to);
    List<NDArray> views = new ArrayList<>();
    for (NDArray tensor : tensors()) {
      views.add(tensor.get(experts));
    }
    return of(views);
  }

  /** Number of experts E. */
  public int size() {
    return Math.toIntExact(gate_EFD.getShape().get(0));
  }

  public boolean hasBias() {
    return gateBias_EF != null;
  }

  /** The stacked tensors: gate, up, down, then the biases when present. */
  public List<NDArray> tensors() {
    List<NDArray> out = new ArrayList<>(List.of(gate_EFD, up_EFD, down_EDF));
    if (hasBias()) {
      out.addAll(List.of(gateBias_EF, upBias_EF, downBias_ED));
    }
    return out;
  }

  /**
   * Expert {@code i} as views of the stacked tensors. Made under a recording grad mode, the views
   * are in the graph, so gradients through them reach the stacked tensors.
   */
  public ExpertWeights expert(int i) {
    checkRange(i, i + 1);
    NDIndex at = new NDIndex(i);
    return hasBias()
        ? new ExpertWeights(
            gate_EFD.get(at),
            up_EFD.get(at),
            down_EDF.get(at),
            gateBias_EF.get(at),
            upBias_EF.get(at),
            downBias_ED.get(at))
        : ExpertWeights.withoutBias(gate_EFD.get(at), up_EFD.get(at), down_EDF.get(at));
  }

  /**
   * y = down(silu(gate(x)) * up(x)) for every expert of the stack at once: {@code x_EMD} holds M
   * rows for each of them, in expert order; three batched GEMMs in all.
   */
  public NDArray apply(NDArray x_EMD) {
    if (x_EMD.getShape().dimension() != 3 || x_EMD.getShape().get(0) != size()) {
      throw new IllegalArgumentException(
          "expected rows ["
              + size()
              + ", M, D] for a stack of "
              + size()
              + " experts, got "
              + x_EMD.getShape());
    }
    NDArray gate_EMF = project(x_EMD, gate_EFD, gateBias_EF);
    NDArray up_EMF = project(x_EMD, up_EFD, upBias_EF);
    NDArray hidden_EMF = gate_EMF.mul(Activation.sigmoid(gate_EMF)).mul(up_EMF);
    return project(hidden_EMF, down_EDF, downBias_ED);
  }

  private static NDArray project(NDArray x_EMI, NDArray weight_EOI, NDArray bias_EO) {
    NDArray y_EMO = x_EMI.batchMatMul(weight_EOI.transpose(0, 2, 1));
    return bias_EO == null ? y_EMO : y_EMO.add(bias_EO.expandDims(1));
  }

  private void checkRange(int from, int to) {
    if (from < 0 || to > size() || from >= to) {
      throw new IllegalArgumentException(
          "experts [" + from + ", " + to + ") are outside the stack of " + size());
    }
  }
}
