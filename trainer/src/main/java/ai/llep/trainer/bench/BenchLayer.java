package ai.llep.trainer.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.dispatch.ExpertFunction;
import ai.llep.dispatch.ExpertStack;
import ai.llep.plan.ExpertPlacement;
import java.util.ArrayList;
import java.util.List;

/**
 * This rank's part of the layer: only its own experts' weights for the layer's expert function,
 * random from the seed and drawn on the device by libtorch's generator (drawing tens of gigabytes
 * on the host would take minutes), stacked. Weights are scaled so that activations stay of order
 * one in float16.
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
    long experts = placement.expertsPerRank();
    ExpertFunction function = shape.function().function(shape.hidden(), shape.ffn(), false);
    List<Shape> shapes = function.expertShapes();
    List<NDArray> stacked = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      Shape stack = new Shape(experts).addAll(shapes.get(i));
      stacked.add(normal(manager, stack, scale(shape, i, shapes.get(i)), dataType));
    }
    ExpertStack natives = new ExpertStack(stacked);
    if (trainable) {
      natives.tensors().forEach(t -> t.setRequiresGradient(true));
    }
    return new BenchLayer(shape, placement, dataType, function, natives, manager);
  }

  /**
   * The standard deviation of expert tensor {@code i}: 1/sqrt(fan-in) for matrices, 0.1 for biases.
   * Tensor 2 is the down projection (fan-in F) in both functions' transfer order; the other
   * matrices read the D-wide input.
   */
  private static double scale(LayerShape shape, int i, Shape expertShape) {
    if (expertShape.dimension() == 1) {
      return 0.1;
    }
    return 1 / Math.sqrt(i == 2 ? shape.ffn() : shape.hidden());
  }

  /**
   * Standard-normal values times {@code scale}, drawn in float32 then cast (bfloat16 through
   * libtorch: DJL's casts abort the JVM on it).
   */
  static NDArray normal(NDManager manager, Shape shape, double scale, DataType dataType) {
    return as(manager.randomNormal(0f, (float) scale, shape, DataType.FLOAT32), dataType);
  }

  /** {@code wide} (float32, closed here unless returned) as {@code dataType}. */
  static NDArray as(NDArray wide, DataType dataType) {
    if (dataType == DataType.FLOAT32) {
      return wide;
    }
    try (wide) {
      return dataType == DataType.BFLOAT16
          ? Aten.cast(wide, dataType)
          : wide.toType(dataType, false);
    }
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
