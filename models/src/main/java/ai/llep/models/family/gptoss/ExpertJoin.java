package ai.llep.models.family.gptoss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.TensorSource;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The inverse of {@link StackedExperts} for export: the trained per-expert tensors of each layer
 * and projection seen as gpt-oss's stacked {@code [E, ...]} tensor, every other tensor as it is. A
 * stacked tensor is read only when asked for, from its experts one after another, so a streamed
 * export holds one stack (one layer's projection), never the model.
 */
final class ExpertJoin implements TensorSource {
  private static final Pattern PER_EXPERT =
      Pattern.compile(
          "(model\\.layers\\.\\d+\\.mlp\\.experts\\.)(\\d+)\\."
              + "(gate_up_proj|gate_up_proj_bias|down_proj|down_proj_bias)");

  private final TensorSource trained;
  private final Map<String, TreeMap<Integer, String>> stacks = new HashMap<>();
  private final Set<String> names;

  /**
   * @throws IllegalArgumentException when a layer's projection lacks experts of {@code config}
   */
  ExpertJoin(ModelConfig config, TensorSource trained) {
    this.trained = trained;
    Set<String> all = new TreeSet<>();
    for (String name : trained.names()) {
      Matcher m = PER_EXPERT.matcher(name);
      if (!m.matches()) {
        all.add(name);
        continue;
      }
      String stacked = m.group(1) + m.group(3);
      stacks.computeIfAbsent(stacked, s -> new TreeMap<>()).put(Integer.parseInt(m.group(2)), name);
      all.add(stacked);
    }
    for (Map.Entry<String, TreeMap<Integer, String>> stack : stacks.entrySet()) {
      TreeMap<Integer, String> experts = stack.getValue();
      if (experts.size() != config.numExperts()
          || experts.firstKey() != 0
          || experts.lastKey() != config.numExperts() - 1) {
        throw new IllegalArgumentException(
            "exporting "
                + stack.getKey()
                + " needs experts 0-"
                + (config.numExperts() - 1)
                + ", the checkpoint holds "
                + experts.keySet());
      }
    }
    this.names = Collections.unmodifiableSet(all);
  }

  @Override
  public Set<String> names() {
    return names;
  }

  @Override
  public Shape shape(String name) {
    TreeMap<Integer, String> experts = stacks.get(name);
    if (experts == null) {
      return trained.shape(name);
    }
    long[] one = trained.shape(experts.firstEntry().getValue()).getShape();
    long[] dims = new long[one.length + 1];
    dims[0] = experts.size();
    System.arraycopy(one, 0, dims, 1, one.length);
    return new Shape(dims);
  }

  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    TreeMap<Integer, String> experts = stacks.get(name);
    if (experts == null) {
      return trained.read(name, manager, computeType);
    }
    try (NDManager parts = manager.newSubManager()) {
      NDList each = new NDList();
      for (String expert : experts.values()) {
        each.add(trained.read(expert, parts, computeType));
      }
      NDArray stacked = NDArrays.stack(each, 0);
      stacked.attach(manager);
      return stacked;
    }
  }

  @Override
  public Optional<String> integerStorage(String name) {
    TreeMap<Integer, String> experts = stacks.get(name);
    return trained.integerStorage(experts == null ? name : experts.firstEntry().getValue());
  }
}
