package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.hf.TensorSource;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** A checkpoint in memory, float32 on the host; remembers which tensors were read. */
final class InMemoryTensorSource implements TensorSource {
  private record Entry(Shape shape, float[] values) {}

  private final Map<String, Entry> tensors = new LinkedHashMap<>();
  private final Set<String> read = new LinkedHashSet<>();

  void put(String name, Shape shape, float[] values) {
    if (shape.size() != values.length) {
      throw new IllegalArgumentException(name + ": " + values.length + " values for " + shape);
    }
    tensors.put(name, new Entry(shape, values));
  }

  /** A copy whose tensor {@code name} has {@code value} at flat index {@code index}. */
  InMemoryTensorSource withValue(String name, int index, float value) {
    InMemoryTensorSource copy = new InMemoryTensorSource();
    copy.tensors.putAll(tensors);
    float[] values = values(name).clone();
    values[index] = value;
    copy.put(name, shape(name), values);
    return copy;
  }

  void remove(String name) {
    tensors.remove(name);
  }

  float[] values(String name) {
    return entry(name).values();
  }

  Set<String> readNames() {
    return Collections.unmodifiableSet(read);
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(tensors.keySet());
  }

  @Override
  public Shape shape(String name) {
    return entry(name).shape();
  }

  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    Entry entry = entry(name);
    read.add(name);
    NDArray array = manager.create(entry.values().clone(), entry.shape());
    return computeType == DataType.FLOAT32 ? array : array.toType(computeType, true);
  }

  private Entry entry(String name) {
    Entry entry = tensors.get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no tensor " + name + " in the test checkpoint");
    }
    return entry;
  }
}
