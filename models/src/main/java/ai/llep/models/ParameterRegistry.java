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
  private final Map<String, Parameter> byCheckpointName;

  ParameterRegistry(List<Parameter> parameters) {
    this.ordered = List.copyOf(parameters);
    Map<String, Parameter> map = new LinkedHashMap<>();
    Map<String, Parameter> holders = new LinkedHashMap<>();
    for (Parameter p : ordered) {
      if (map.put(p.name(), p) != null) {
        throw new IllegalArgumentException("parameter " + p.name() + " is registered twice");
      }
      for (String tensor : p.checkpointNames()) {
        if (holders.put(tensor, p) != null) {
          throw new IllegalArgumentException("checkpoint tensor " + tensor + " is held twice");
        }
      }
    }
    this.byName = Collections.unmodifiableMap(map);
    this.byCheckpointName = Collections.unmodifiableMap(holders);
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

  /**
   * The parameter that holds checkpoint tensor {@code name}: the parameter of that name, or the
   * expert stack it is a slice of; an error naming it when this rank holds none.
   */
  public Parameter holding(String name) {
    Parameter p = byCheckpointName.get(name);
    if (p == null) {
      throw new IllegalArgumentException("this rank holds no checkpoint tensor " + name);
    }
    return p;
  }

  /** The checkpoint tensors this rank holds, in registry order. */
  public List<String> checkpointNames() {
    return List.copyOf(byCheckpointName.keySet());
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
