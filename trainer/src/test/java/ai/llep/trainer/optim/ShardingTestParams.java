package ai.llep.trainer.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Deterministic parameters and gradients for the sharded optimizer tests. */
final class ShardingTestParams {
  /** Replicated shapes whose sizes (35, 3, 24, 1) put chunk boundaries inside tensors. */
  static final List<Shape> REPLICATED_SHAPES =
      List.of(new Shape(5, 7), new Shape(3), new Shape(4, 6), new Shape(1));

  private ShardingTestParams() {}

  static long replicatedElements() {
    return REPLICATED_SHAPES.stream().mapToLong(Shape::size).sum();
  }

  /** Parameters of {@code shapes}, their values a function of the name and {@code salt}. */
  static List<OptimParam> params(NDManager manager, String prefix, List<Shape> shapes, int salt) {
    List<OptimParam> out = new ArrayList<>();
    for (int i = 0; i < shapes.size(); i++) {
      float[] values = new float[(int) shapes.get(i).size()];
      for (int e = 0; e < values.length; e++) {
        values[e] = (float) Math.cos(0.7 * e + 3 * i + 11 * salt);
      }
      NDArray array = manager.create(values, shapes.get(i));
      array.setRequiresGradient(true);
      out.add(OptimParam.of(prefix + i, array));
    }
    return out;
  }

  /**
   * The same replicated gradients on every rank (all-reduced), rank-specific ones for the sharded
   * parameters (named from "e").
   */
  static Map<String, NDArray> gradients(
      NDManager scope, List<OptimParam> params, int step, int rank) {
    Map<String, NDArray> out = new HashMap<>();
    for (OptimParam p : params) {
      int salt = p.name().startsWith("e") ? rank : 0;
      float[] g = new float[(int) p.array().size()];
      for (int e = 0; e < g.length; e++) {
        g[e] = (float) (Math.sin(1.3 * (e + 1) * (step + 1) + p.name().hashCode() + salt) * 0.4);
      }
      out.put(p.name(), scope.create(g, p.array().getShape()));
    }
    return out;
  }

  static List<OptimParam> concat(List<OptimParam> a, List<OptimParam> b) {
    List<OptimParam> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
