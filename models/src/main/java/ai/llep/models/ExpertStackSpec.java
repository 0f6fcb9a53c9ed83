package ai.llep.models;

import java.util.List;

/**
 * One stacked expert parameter a rank holds: a layer's experts {@code [firstExpert, firstExpert +
 * sliceNames.size())} for one projection, and the checkpoint tensors it stacks, in expert order.
 */
record ExpertStackSpec(String name, int layer, int firstExpert, List<String> sliceNames) {
  ExpertStackSpec {
    sliceNames = List.copyOf(sliceNames);
    if (sliceNames.isEmpty()) {
      throw new IllegalArgumentException("expert stack " + name + " stacks no tensor");
    }
  }
}
