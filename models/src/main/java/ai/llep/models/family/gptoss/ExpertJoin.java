package ai.llep.models.family.gptoss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.llep.models.family.ModelConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SequencedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inverse of {@link StackedExperts} for export: the per-expert tensors of each layer and
 * projection stacked back into gpt-oss's {@code [E, ...]} tensor, in the place of the first of
 * them; every other tensor passes through.
 */
final class ExpertJoin {
  private static final Pattern PER_EXPERT =
      Pattern.compile(
          "(model\\.layers\\.\\d+\\.mlp\\.experts\\.)(\\d+)\\."
              + "(gate_up_proj|gate_up_proj_bias|down_proj|down_proj_bias)");

  private ExpertJoin() {}

  static SequencedMap<String, NDArray> join(
      ModelConfig config, SequencedMap<String, NDArray> tensors) {
    SequencedMap<String, NDArray> out = new LinkedHashMap<>();
    Map<String, TreeMap<Integer, NDArray>> groups = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> entry : tensors.entrySet()) {
      Matcher m = PER_EXPERT.matcher(entry.getKey());
      if (!m.matches()) {
        out.put(entry.getKey(), entry.getValue());
        continue;
      }
      String stacked = m.group(1) + m.group(3);
      if (!groups.containsKey(stacked)) {
        groups.put(stacked, new TreeMap<>());
        out.put(stacked, null);
      }
      groups.get(stacked).put(Integer.parseInt(m.group(2)), entry.getValue());
    }
    for (Map.Entry<String, TreeMap<Integer, NDArray>> group : groups.entrySet()) {
      TreeMap<Integer, NDArray> experts = group.getValue();
      if (experts.size() != config.numExperts()
          || experts.firstKey() != 0
          || experts.lastKey() != config.numExperts() - 1) {
        throw new IllegalArgumentException(
            "exporting "
                + group.getKey()
                + " needs experts 0-"
                + (config.numExperts() - 1)
                + ", the checkpoint holds "
                + experts.keySet());
      }
      out.put(group.getKey(), NDArrays.stack(new NDList(experts.values()), 0));
    }
    return out;
  }
}
