package ai.llep.models;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parameters one rank holds, in a fixed order that is the same on every rank for the dense and
 * router ones (so gradients can be all-reduced tensor by tensor), looked up by Hugging Face name. A
 * view: the arrays belong to the model.
 */
public final class ParameterRegistry {
  private final List<Parameter> ordered;
  private final Map<String, Parameter> byName;

  ParameterRegistry(List<Parameter> parameters) {
    this.ordered = List.copyOf(parameters);
    Map<String, Parameter> map = new LinkedHashMap<>();
    for (Parameter p : ordered) {
      if (map.put(p.name(), p) != null) {
        throw new IllegalArgumentException("parameter " + p.name() + " is registered twice");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
  }

  /** Every parameter, in registry order. */
  public List<Parameter> all() {
    return ordered;
  }

  /** The parameters of one kind, in registry order. */
  public List<Parameter> ofKind(ParameterKind kind) {
    List<Parameter> out = new ArrayList<>();
    for (Parameter p : ordered) {
      if (p.kind() == kind) {
        out.add(p);
      }
    }
    return out;
  }

  /** The parameter named {@code name}; an error naming it when this rank does not hold it. */
  public Parameter get(String name) {
    Parameter p = byName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("this rank holds no parameter " + name);
    }
    return p;
  }

  public boolean contains(String name) {
    return byName.containsKey(name);
  }

  /** Total number of scalar values. */
  public long elementCount() {
    long total = 0;
    for (Parameter p : ordered) {
      total += p.array().getShape().size();
    }
    return total;
  }

  /** Turns gradient recording on or off for every parameter of {@code kind} (freezing a group). */
  public void setTrainable(ParameterKind kind, boolean trainable) {
    for (Parameter p : ofKind(kind)) {
      p.array().setRequiresGradient(trainable);
    }
  }
}
