package ai.llep.models.template;

import java.util.List;

/** A Python tuple: what {@code dict.items()} yields and {@code (a, b)} builds. */
record PyTuple(List<Object> items) {
  PyTuple {
    items = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(items));
  }

  static PyTuple of(Object... items) {
    return new PyTuple(java.util.Arrays.asList(items));
  }
}
