package ai.llep.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.models.layers.LinearAdapter;
import ai.llep.models.layers.StepView;
import ai.llep.models.layers.Upcast;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;

/**
 * The adapter of one frozen projection, as PEFT's {@code lora.Linear} adds it: {@code scale *
 * (dropout(x) A^T) B^T}, computed in the activations' type from float32 A and B (each pass casts
 * them, so their gradients land in float32). Dropout acts only while gradients are recorded (in
 * training); its mask is drawn afresh on each pass.
 */
final class LoraLinear implements LinearAdapter {
  private final NDArray a_RI;
  private final NDArray b_OR;
  private final double scale;
  private final double dropout;

  LoraLinear(NDArray a_RI, NDArray b_OR, double scale, double dropout) {
    this.a_RI = a_RI;
    this.b_OR = b_OR;
    this.scale = scale;
    this.dropout = dropout;
  }

  @Override
  public NDArray forward(NDArray x_TI) {
    NDArray in_TI = dropout > 0 && GradMode.isEnabled() ? drop(x_TI) : x_TI;
    NDArray low_TR = in_TI.matMul(StepView.like(a_RI, x_TI).transpose());
    NDArray out_TO = low_TR.matMul(StepView.like(b_OR, x_TI).transpose());
    return Scalars.mul(out_TO, scale);
  }

  /** Inverted dropout: kept elements are scaled by 1 / (1 - p). */
  private NDArray drop(NDArray x) {
    NDArray uniform = x.getManager().randomUniform(0f, 1f, x.getShape(), DataType.FLOAT32);
    NDArray keep = Scalars.gte(uniform, dropout).toType(DataType.FLOAT32, false);
    NDArray mask = Upcast.restore(Scalars.div(keep, 1 - dropout), Aten.dtype(x));
    return x.mul(mask);
  }
}
