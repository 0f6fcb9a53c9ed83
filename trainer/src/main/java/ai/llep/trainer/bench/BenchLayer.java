package ai.llep.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.ExpertStack;
import ai.llep.models.experts.SwiGluExperts;
import ai.llep.plan.ExpertPlacement;
import java.util.ArrayList;
import java.util.List;

/**
 * This rank's part of the layer: only its own experts' weights, random from the seed and drawn on
 * the device by libtorch's generator (drawing tens of gigabytes on the host would take minutes),
 * stacked as gpt-oss stores them. Weights are scaled so that activations stay of order one in
 * float16.
 */
final class BenchLayer implements AutoCloseable {
  final LayerShape shape;
  final ExpertPlacement placement;
  final DataType dataType;
  final ExpertFunction function;
  final ExpertStack natives;
  private final NDManager manager;

  private BenchLayer(
      LayerShape shape,
      ExpertPlacement placement,
      DataType dataType,
      ExpertFunction function,
      ExpertStack natives,
      NDManager manager) {
    this.shape = shape;
    this.placement = placement;
    this.dataType = dataType;
    this.function = function;
    this.natives = natives;
    this.manager = manager;
  }

  /**
   * @param trainable whether the weights record gradients (forward-backward)
   */
  static BenchLayer create(
      NDManager parent,
      LayerShape shape,
      ExpertPlacement placement,
      int rank,
      DataType dataType,
      long seed,
      boolean trainable) {
    NDManager manager = parent.newSubManager();
    Engine.getEngine("PyTorch").setRandomSeed((int) (seed * 1_000_003L + rank));
    double inScale = 1 / Math.sqrt(shape.hidden());
    double outScale = 1 / Math.sqrt(shape.ffn());
    long experts = placement.expertsPerRank();
    ExpertFunction function = new SwiGluExperts(shape.hidden(), shape.ffn(), false);
    List<Shape> shapes = function.expertShapes();
    List<NDArray> stacked = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      Shape stack = new Shape(experts).addAll(shapes.get(i));
      stacked.add(normal(manager, stack, i == 2 ? outScale : inScale, dataType));
    }
    ExpertStack natives = new ExpertStack(stacked);
    if (trainable) {
      natives.tensors().forEach(t -> t.setRequiresGradient(true));
    }
    return new BenchLayer(shape, placement, dataType, function, natives, manager);
  }

  /** Standard-normal values times {@code scale}, drawn in float32 then cast. */
  static NDArray normal(NDManager manager, Shape shape, double scale, DataType dataType) {
    NDArray wide = manager.randomNormal(0f, (float) scale, shape, DataType.FLOAT32);
    if (dataType == DataType.FLOAT32) {
      return wide;
    }
    NDArray cast = wide.toType(dataType, false);
    wide.close();
    return cast;
  }

  /** Zeroes the accumulated gradients of the native weights, as DJL's own collector does. */
  void zeroGradients() {
    for (NDArray tensor : natives.tensors()) {
      try (NDArray gradient = tensor.getGradient()) {
        gradient.subi(gradient);
      }
    }
  }

  /** Local indices of the experts whose gradients are compared: first, middle and last. */
  List<Integer> checkedExperts() {
    int m = natives.size();
    return List.of(0, m / 2, m - 1).stream().distinct().toList();
  }

  @Override
  public void close() {
    manager.close();
  }
}
