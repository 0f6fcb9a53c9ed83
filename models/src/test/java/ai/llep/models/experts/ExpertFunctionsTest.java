package ai.llep.models.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.dispatch.ExpertGroup;
import ai.llep.dispatch.ExpertStack;
import ai.llep.models.layers.Linear;
import ai.llep.models.layers.SwiGluMlp;
import ai.llep.tape.GradMode;
import ai.llep.tape.Gradients;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model's expert functions against the definitions they implement: gpt-oss's against what
 * transformers' own {@code GptOssExperts} computed (fixture {@code fixtures/experts/gpt-oss}, made
 * by {@code scripts/fixtures/make-expert-fixtures.py}: output and every gradient, with both clamps
 * acting and a token routed twice to one expert), one expert at a time and as one grouped call;
 * SwiGLU's against the dense SwiGLU MLP of the non-MoE layers.
 */
class ExpertFunctionsTest {
  private static final String[] WEIGHTS = {
    "gate_up_proj", "gate_up_proj_bias", "down_proj", "down_proj_bias"
  };

  @Test
  void gptOssMatchesTransformersOneExpertAtATimeAndGrouped() throws IOException {
    JsonObject f = fixture("gpt-oss");
    int experts = f.get("experts").getAsInt();
    int hidden = f.get("hidden").getAsInt();
    int ffn = f.get("ffn").getAsInt();
    int tokens = f.get("tokens").getAsInt();
    int topK = f.get("top_k").getAsInt();
    assertEquals(GptOssExperts.ALPHA, f.get("alpha").getAsDouble());
    assertEquals(GptOssExperts.LIMIT, f.get("limit").getAsDouble());
    GptOssExperts function = new GptOssExperts(hidden, ffn);
    long[] ids = longs(f.getAsJsonArray("router_indices"));
    for (boolean grouped : new boolean[] {false, true}) {
      try (NDManager m = NDManager.newBaseManager("PyTorch");
          GradMode grad = GradMode.enabled()) {
        NDArray x = leaf(m, f, "hidden_states", new Shape(tokens, hidden));
        List<NDArray> stacked = new ArrayList<>();
        List<Shape> shapes = function.expertShapes();
        for (int i = 0; i < WEIGHTS.length; i++) {
          stacked.add(leaf(m, f, WEIGHTS[i], new Shape(experts).addAll(shapes.get(i))));
        }
        NDArray weights = array(m, f, "routing_weights", new Shape(tokens, topK));
        NDArray y =
            grouped
                ? grouped(function, new ExpertStack(stacked), x, ids, weights, experts)
                : expertByExpert(function, new ExpertStack(stacked), x, ids, weights, experts);
        Gradients.backward(y, array(m, f, "upstream", new Shape(tokens, hidden)));
        String how = grouped ? "grouped " : "one expert at a time ";
        assertClose(doubles(f, "output"), y.toDoubleArray(), how + "output");
        assertClose(
            doubles(f, "grad_hidden_states"),
            x.getGradient().toDoubleArray(),
            how + "input gradient");
        for (int i = 0; i < WEIGHTS.length; i++) {
          assertClose(
              doubles(f, "grad_" + WEIGHTS[i]),
              stacked.get(i).getGradient().toDoubleArray(),
              how + WEIGHTS[i] + " gradient");
        }
      }
    }
  }

  @Test
  void swiGluIsTheDenseMlpOfOneExpert() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      m.getEngine().setRandomSeed(5);
      NDArray gate = m.randomNormal(new Shape(6, 4));
      NDArray up = m.randomNormal(new Shape(6, 4));
      NDArray down = m.randomNormal(new Shape(4, 6));
      NDArray x = m.randomNormal(new Shape(3, 4));
      SwiGluExperts function = new SwiGluExperts(4, 6, false);
      assertEquals(
          List.of(new Shape(6, 4), new Shape(6, 4), new Shape(4, 6)), function.expertShapes());
      NDArray expected =
          new SwiGluMlp(new Linear(gate, null), new Linear(up, null), new Linear(down, null))
              .forward(x);
      NDArray actual = function.forward(ExpertGroup.single(x, List.of(gate, up, down)));
      assertClose(
          expected.toType(DataType.FLOAT64, false).toDoubleArray(),
          actual.toType(DataType.FLOAT64, false).toDoubleArray(),
          "swiglu");
    }
  }

  /** Every expert on every token, mixed by the routing weights (a token's K slots summed). */
  private static NDArray expertByExpert(
      GptOssExperts function,
      ExpertStack stack,
      NDArray x,
      long[] ids,
      NDArray weights_TK,
      int experts) {
    NDManager m = x.getManager();
    int topK = Math.toIntExact(weights_TK.getShape().get(1));
    NDArray y = null;
    for (int e = 0; e < experts; e++) {
      double[] picked = new double[ids.length];
      for (int s = 0; s < ids.length; s++) {
        picked[s] = ids[s] == e ? 1 : 0;
      }
      NDArray mix_T =
          weights_TK
              .mul(m.create(picked, new Shape(ids.length / topK, topK)))
              .sum(new int[] {1}, true);
      NDArray out = function.forward(ExpertGroup.single(x, stack.expert(e))).mul(mix_T);
      y = y == null ? out : y.add(out);
    }
    return y;
  }

  /**
   * The slots' rows sorted by expert, one grouped call, then each token's K outputs weighted and
   * summed: a [T, S] mixing matrix times the slots' outputs.
   */
  private static NDArray grouped(
      GptOssExperts function,
      ExpertStack stack,
      NDArray x,
      long[] ids,
      NDArray weights_TK,
      int experts) {
    NDManager m = x.getManager();
    int topK = Math.toIntExact(weights_TK.getShape().get(1));
    int tokens = ids.length / topK;
    long[] order = new long[ids.length];
    long[] rows = new long[experts];
    int next = 0;
    for (int e = 0; e < experts; e++) {
      for (int s = 0; s < ids.length; s++) {
        if (ids[s] == e) {
          order[next++] = s;
          rows[e]++;
        }
      }
    }
    long[] tokenOfRow = new long[order.length];
    double[] mix = new double[tokens * order.length];
    double[] w = weights_TK.toDoubleArray();
    for (int r = 0; r < order.length; r++) {
      tokenOfRow[r] = order[r] / topK;
      mix[(int) tokenOfRow[r] * order.length + r] = w[(int) order[r]];
    }
    NDArray x_GD = x.get(m.create(tokenOfRow));
    NDArray y_GD = function.forward(ExpertGroup.grouped(x_GD, stack, rows));
    return m.create(mix, new Shape(tokens, order.length)).matMul(y_GD);
  }

  private static JsonObject fixture(String name) throws IOException {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path file = dir.resolve("fixtures").resolve("experts").resolve(name).resolve("expected.json");
      if (Files.isRegularFile(file)) {
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      }
    }
    throw new IllegalStateException("no fixtures/experts/" + name + " above the working directory");
  }

  private static double[] doubles(JsonObject f, String key) {
    JsonArray values = f.getAsJsonArray(key);
    double[] out = new double[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).getAsDouble();
    }
    return out;
  }

  private static long[] longs(JsonArray values) {
    long[] out = new long[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i).getAsLong();
    }
    return out;
  }

  private static NDArray array(NDManager m, JsonObject f, String key, Shape shape) {
    return m.create(doubles(f, key), shape);
  }

  /** A float64 leaf in memory libtorch owns (DJL's create wraps a Java buffer). */
  private static NDArray leaf(NDManager m, JsonObject f, String key, Shape shape) {
    NDArray owned = array(m, f, key, shape).duplicate();
    owned.setRequiresGradient(true);
    return owned;
  }

  private static void assertClose(double[] expected, double[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": size");
    double scale = 0;
    double error = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      error = Math.max(error, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(error <= 1e-10 * Math.max(scale, 1e-6), what + ": max abs error " + error);
  }
}
