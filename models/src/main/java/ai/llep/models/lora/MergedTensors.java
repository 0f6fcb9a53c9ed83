package ai.llep.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.TensorNames;
import ai.llep.models.hf.TensorSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A base checkpoint with adapters merged in, as PEFT's {@code merge_and_unload} makes it: each
 * adapted weight becomes {@code W + scale * B A}, computed in float32 (an expert's gate and up
 * weights take their rows of the fused gate_up_proj adapter's B); every other tensor is the base's.
 * Read one tensor at a time, for a streamed export in the base's names.
 */
public final class MergedTensors implements TensorSource {
  private final TensorSource base;
  private final TensorSource adapters;
  private final double scale;
  private final Map<String, Delta> deltas = new HashMap<>();

  /** Rows [from, to) of B (all when to is 0) times A. */
  private record Delta(String a, String b, long from, long to) {}

  /**
   * @param adapters the adapters under {@link LoraSites}' names (a checkpoint, {@link
   *     PeftAdapterSource})
   */
  public MergedTensors(
      TensorSource base, TensorSource adapters, LoraSpec spec, ModelConfig config) {
    this.base = base;
    this.adapters = adapters;
    this.scale = spec.scaling();
    LoraSites sites = new LoraSites(config, spec);
    for (LoraSites.Module m : sites.modules()) {
      deltas.put(m.weight(), new Delta(m.a(), m.b(), 0, 0));
    }
    TensorNames names = new TensorNames(config.family());
    long f = config.moeIntermediateSize();
    for (LoraSites.Experts e : sites.experts()) {
      for (int x = 0; x < config.numExperts(); x++) {
        if (e.target() == LoraTarget.EXPERTS_GATE_UP) {
          deltas.put(names.expertGate(e.layer(), x), new Delta(e.a(x), e.b(x), 0, f));
          deltas.put(names.expertUp(e.layer(), x), new Delta(e.a(x), e.b(x), f, 2 * f));
        } else {
          deltas.put(names.expertDown(e.layer(), x), new Delta(e.a(x), e.b(x), 0, 0));
        }
      }
    }
    for (String weight : deltas.keySet()) {
      if (!base.names().contains(weight)) {
        throw new IllegalArgumentException("the base checkpoint has no tensor " + weight);
      }
    }
  }

  @Override
  public Set<String> names() {
    return base.names();
  }

  @Override
  public Shape shape(String name) {
    return base.shape(name);
  }

  @Override
  public Optional<String> integerStorage(String name) {
    return base.integerStorage(name);
  }

  /** {@code name} merged, in float32 or float16 (the types a streamed write reads). */
  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    Delta delta = deltas.get(name);
    if (delta == null) {
      return base.read(name, manager, computeType);
    }
    NDArray merged;
    try (NDManager scope = manager.newSubManager()) {
      NDArray w = base.read(name, scope, DataType.FLOAT32);
      NDArray a = adapters.read(delta.a(), scope, DataType.FLOAT32);
      NDArray b = adapters.read(delta.b(), scope, DataType.FLOAT32);
      if (delta.to() > 0) {
        b = b.get(new NDIndex(delta.from() + ":" + delta.to()));
      }
      NDArray sum = w.add(b.matMul(a).mul(scale));
      merged = computeType == DataType.FLOAT32 ? sum : sum.toType(computeType, false);
      merged.attach(manager);
    }
    return merged;
  }
}
