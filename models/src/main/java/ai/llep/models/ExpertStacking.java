package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.llep.tape.GradMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the per-expert tensors a rank read into one stacked parameter per MoE layer and projection
 * (the layout the dispatcher batches small experts in). Each stack is made, and its slices freed,
 * before the next, so loading needs at most one stack's worth of memory beyond the model.
 */
final class ExpertStacking {
  private ExpertStacking() {}

  /** {@code loaded} with the tensors of each of {@code stacks} replaced by the stack, in place. */
  static List<Parameter> stack(List<Parameter> loaded, List<ExpertStackSpec> stacks) {
    Map<String, Parameter> byName = new HashMap<>();
    loaded.forEach(p -> byName.put(p.name(), p));
    Map<String, ExpertStackSpec> byFirstSlice = new HashMap<>();
    Set<String> stacked = new HashSet<>();
    for (ExpertStackSpec spec : stacks) {
      byFirstSlice.put(spec.sliceNames().getFirst(), spec);
      stacked.addAll(spec.sliceNames());
    }
    List<Parameter> out = new ArrayList<>(loaded.size());
    for (Parameter p : loaded) {
      ExpertStackSpec spec = byFirstSlice.get(p.name());
      if (spec != null) {
        out.add(stackOf(spec, byName));
      } else if (!stacked.contains(p.name())) {
        out.add(p);
      }
    }
    return out;
  }

  private static Parameter stackOf(ExpertStackSpec spec, Map<String, Parameter> byName) {
    NDList slices = new NDList(spec.sliceNames().size());
    for (String name : spec.sliceNames()) {
      Parameter slice = byName.get(name);
      if (slice == null) {
        throw new IllegalStateException("expert stack " + spec.name() + " lacks tensor " + name);
      }
      slices.add(slice.array());
    }
    NDArray stack;
    // Made outside any graph: the stack is a leaf of its own, not a function of the slices.
    try (GradMode off = GradMode.disabled()) {
      stack = NDArrays.stack(slices, 0);
    }
    slices.forEach(NDArray::close);
    stack.setRequiresGradient(true);
    return new Parameter(
        spec.name(),
        ParameterKind.EXPERT,
        spec.layer(),
        spec.firstExpert(),
        stack,
        spec.sliceNames());
  }
}
