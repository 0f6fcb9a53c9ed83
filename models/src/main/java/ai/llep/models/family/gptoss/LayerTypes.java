package ai.llep.models.family.gptoss;

import ai.llep.models.family.ConfigFields;
import java.util.ArrayList;
import java.util.List;

/**
 * gpt-oss's {@code layer_types} and {@code sliding_window}: each layer attends with a sliding
 * window ({@code sliding_attention}: a query sees itself and the {@code sliding_window - 1}
 * positions before it) or to every earlier position ({@code full_attention}); absent, the layers
 * alternate, starting with a sliding one, as in {@code GptOssConfig}.
 */
final class LayerTypes {
  private static final int DEFAULT_WINDOW = 128;

  private LayerTypes() {}

  /** Per layer, the window (0 for full attention). */
  static List<Integer> windows(ConfigFields f, int layers) {
    List<String> types = types(f, layers);
    int window = f.isNull("sliding_window") ? 0 : f.integer("sliding_window", DEFAULT_WINDOW);
    List<Integer> out = new ArrayList<>(layers);
    for (int i = 0; i < layers; i++) {
      String type = types.get(i);
      switch (type) {
        case "full_attention" -> out.add(0);
        case "sliding_attention" -> {
          if (window < 1) {
            throw new IllegalArgumentException(
                "layer_types["
                    + i
                    + "] is sliding_attention but sliding_window is "
                    + (f.isNull("sliding_window") ? "null" : String.valueOf(window))
                    + "; it must be >= 1");
          }
          out.add(window);
        }
        default ->
            throw new IllegalArgumentException(
                "layer_types["
                    + i
                    + "] must be sliding_attention or full_attention, got '"
                    + type
                    + "'");
      }
    }
    return out;
  }

  private static List<String> types(ConfigFields f, int layers) {
    List<String> types = new ArrayList<>(layers);
    if (!f.has("layer_types")) {
      for (int i = 0; i < layers; i++) {
        types.add(i % 2 == 0 ? "sliding_attention" : "full_attention");
      }
      return types;
    }
    types.addAll(f.strings("layer_types"));
    if (types.size() != layers) {
      throw new IllegalArgumentException(
          "layer_types has "
              + types.size()
              + " entries, but num_hidden_layers is "
              + layers
              + ": one per layer");
    }
    return types;
  }
}
