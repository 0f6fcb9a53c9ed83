package ai.llep.trainer.report;

import ai.llep.trainer.tracking.MetricPoint;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MoE metrics of a run, grouped by layer: each expert's load history and each rank's load
 * history before and after planning, all keyed by index.
 */
record MoeMetrics(SortedMap<Integer, Layer> layers) {
  private static final Pattern EXPERT = Pattern.compile("moe/layer(\\d+)/expert(\\d+)_load");
  private static final Pattern RANK =
      Pattern.compile("moe/layer(\\d+)/rank(\\d+)_load_(before|after)");

  /** One layer's histories by expert and by rank. */
  record Layer(
      SortedMap<Integer, List<MetricPoint>> experts,
      SortedMap<Integer, List<MetricPoint>> ranksBefore,
      SortedMap<Integer, List<MetricPoint>> ranksAfter) {
    Layer() {
      this(new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }
  }

  static MoeMetrics from(Map<String, List<MetricPoint>> metrics) {
    SortedMap<Integer, Layer> layers = new TreeMap<>();
    metrics.forEach(
        (key, points) -> {
          Matcher expert = EXPERT.matcher(key);
          Matcher rank = RANK.matcher(key);
          if (expert.matches()) {
            layer(layers, expert.group(1)).experts().put(Integer.parseInt(expert.group(2)), points);
          } else if (rank.matches()) {
            Layer layer = layer(layers, rank.group(1));
            (rank.group(3).equals("before") ? layer.ranksBefore() : layer.ranksAfter())
                .put(Integer.parseInt(rank.group(2)), points);
          }
        });
    return new MoeMetrics(layers);
  }

  private static Layer layer(SortedMap<Integer, Layer> layers, String index) {
    return layers.computeIfAbsent(Integer.parseInt(index), i -> new Layer());
  }
}
