package ai.llep.trainer.optim;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.tape.GradMode;
import ai.llep.tape.Scalars;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * AdamW (Loshchilov and Hutter, "Decoupled Weight Decay Regularization"), step for step as {@code
 * torch.optim.AdamW} computes it. For each parameter {@code p} with gradient {@code g} at step
 * {@code t} (counted from 1) and learning rate {@code lr}:
 *
 * <pre>
 *   p -= lr * wd * p                      (only where the parameter decays)
 *   m  = b1 * m + (1 - b1) * g
 *   v  = b2 * v + (1 - b2) * g^2
 *   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * <p>Parameters must be float32. The update runs with autograd off and in place, so the arrays keep
 * their identity (the model's handles stay valid) and stay leaves that record gradients. The
 * optimizer owns its moments and frees them on {@link #close()}.
 *
 * <p>Where libtorch takes lists through its stable ABI (2.10 and later) and every parameter lives
 * on one device, a step is libtorch's multi-tensor {@code _fused_adamw_} ({@code
 * torch.optim.AdamW(fused=True)}): one pass over each tensor instead of about a dozen. Elsewhere
 * (DJL's own libtorch 2.7.1) it is the formula above, tensor by tensor. Both agree to float32
 * rounding.
 */
public final class AdamW implements Optimizer {
  private final AdamWConfig config;
  private final List<OptimParam> params;
  private final NDManager stateManager;
  private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
  private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
  private final boolean fused;
  private NDArray stepCount;
  private long step;

  public AdamW(List<OptimParam> params, AdamWConfig config) {
    this(params, config, true);
  }

  /** With {@code allowFused} false, always the tensor-by-tensor formula (for comparisons). */
  AdamW(List<OptimParam> params, AdamWConfig config, boolean allowFused) {
    this.config = Objects.requireNonNull(config, "config");
    this.params = List.copyOf(params);
    if (this.params.isEmpty()) {
      throw new IllegalArgumentException("adamw needs at least one parameter");
    }
    Set<String> names = new HashSet<>();
    for (OptimParam param : this.params) {
      if (!names.add(param.name())) {
        throw new IllegalArgumentException("duplicate parameter name " + param.name());
      }
      if (param.array().getDataType() != DataType.FLOAT32) {
        throw new IllegalArgumentException(
            "parameter "
                + param.name()
                + " is "
                + param.array().getDataType()
                + "; adamw updates float32 parameters");
      }
    }
    stateManager = this.params.getFirst().array().getManager().newSubManager();
    fused = allowFused && fusedAvailable(this.params);
    for (OptimParam param : this.params) {
      NDArray array = param.array();
      firstMoments.put(param.name(), zerosLike(array));
      secondMoments.put(param.name(), zerosLike(array));
    }
  }

  /** Whether steps run as libtorch's fused AdamW ({@code _fused_adamw_}). */
  public boolean fused() {
    return fused;
  }

  private static boolean fusedAvailable(List<OptimParam> params) {
    Device device = params.getFirst().array().getDevice();
    return Aten.listsSupported()
        && params.stream().allMatch(p -> p.array().getDevice().equals(device));
  }

  private NDArray zerosLike(NDArray array) {
    NDArray zeros = stateManager.zeros(array.getShape(), DataType.FLOAT32, array.getDevice());
    NDScope.unregister(zeros);
    return zeros;
  }

  public AdamWConfig config() {
    return config;
  }

  public List<OptimParam> parameters() {
    return params;
  }

  @Override
  public long stepCount() {
    return step;
  }

  /** Only the parameters and the moments change. */
  @Override
  public void step(double lr, Map<String, NDArray> gradients) {
    checkLearningRate(lr);
    List<NDArray> ordered = GradientCheck.ordered(params, gradients);
    update(lr, ordered);
  }

  /**
   * One update with the gradients autograd accumulated in the parameters themselves, for a model
   * whose gradients need no exchange (one process).
   */
  @SuppressWarnings("try") // the scope only collects the temporary gradient handles
  public void step(double lr) {
    checkLearningRate(lr);
    try (NDScope scope = new NDScope()) {
      List<NDArray> gradients = new ArrayList<>(params.size());
      for (OptimParam param : params) {
        // DJL returns a new handle on every call; the scope closes it.
        gradients.add(param.array().getGradient());
      }
      update(lr, gradients);
    }
  }

  private static void checkLearningRate(double lr) {
    if (!(lr >= 0) || Double.isInfinite(lr)) {
      throw new IllegalArgumentException("learning rate must be finite and >= 0, got " + lr);
    }
  }

  @SuppressWarnings("try") // grad mode and the scope act by being open, not through calls
  private void update(double lr, List<NDArray> gradients) {
    if (fused) {
      try (GradMode off = GradMode.disabled();
          NDScope scope = new NDScope()) {
        fusedUpdate(lr, gradients);
      }
      step++;
      return;
    }
    long t = step + 1;
    double b1 = config.beta1();
    double b2 = config.beta2();
    double biasCorrection1 = 1 - Math.pow(b1, t);
    double biasCorrection2 = 1 - Math.pow(b2, t);
    double decay = 1 - lr * config.weightDecay();
    try (GradMode off = GradMode.disabled();
        NDScope scope = new NDScope();
        NDArray decayFactor = onDevice(decay);
        NDArray correction2 = onDevice(biasCorrection2);
        NDArray stepSize = onDevice(lr / biasCorrection1)) {
      for (int i = 0; i < params.size(); i++) {
        OptimParam param = params.get(i);
        NDArray p = param.array();
        NDArray g = gradients.get(i);
        NDArray m = firstMoments.get(param.name());
        NDArray v = secondMoments.get(param.name());
        if (param.weightDecay() && config.weightDecay() != 0) {
          p.muli(decayFactor);
        }
        m.muli(constant(b1)).addi(g.mul(constant(1 - b1)));
        v.muli(constant(b2)).addi(g.square().muli(constant(1 - b2)));
        NDArray denominator = v.div(correction2).sqrt().addi(constant(config.eps()));
        p.subi(m.div(denominator).muli(stepSize));
      }
    }
    step = t;
  }

  /** A float64 scalar for this step, on the parameters' device (as DJL's {@code op(double)}). */
  private NDArray onDevice(double value) {
    return Scalars.onDevice(value, DataType.FLOAT64, params.getFirst().array().getDevice());
  }

  private NDArray constant(double value) {
    return Scalars.deviceConstant(value, DataType.FLOAT64, params.getFirst().array().getDevice());
  }

  /**
   * One fused call per weight-decay group; the step count is one device tensor that every
   * parameter's entry of {@code state_steps} shares (the kernels only read it).
   */
  private void fusedUpdate(double lr, List<NDArray> gradients) {
    if (stepCount == null) {
      stepCount =
          stateManager.zeros(new Shape(1), DataType.FLOAT32, params.getFirst().array().getDevice());
      NDScope.unregister(stepCount);
    }
    stepCount.set(new float[] {step + 1});
    for (boolean decays : new boolean[] {true, false}) {
      List<NDArray> p = new ArrayList<>();
      List<NDArray> g = new ArrayList<>();
      List<NDArray> m = new ArrayList<>();
      List<NDArray> v = new ArrayList<>();
      for (int i = 0; i < params.size(); i++) {
        OptimParam param = params.get(i);
        if (param.weightDecay() == decays) {
          p.add(param.array());
          NDArray gradient = gradients.get(i);
          g.add(
              Aten.dtype(gradient) == DataType.FLOAT32
                  ? gradient
                  : Aten.cast(gradient, DataType.FLOAT32));
          m.add(firstMoments.get(param.name()));
          v.add(secondMoments.get(param.name()));
        }
      }
      List<NDArray> steps = Collections.nCopies(p.size(), stepCount);
      Aten.fusedAdamW(
          p,
          g,
          m,
          v,
          steps,
          lr,
          config.beta1(),
          config.beta2(),
          decays ? config.weightDecay() : 0,
          config.eps());
    }
  }

  @Override
  public AdamWState exportState(NDManager manager) {
    Map<String, NDArray> tensors = new HashMap<>();
    for (OptimParam param : params) {
      tensors.put(
          param.name() + AdamWState.FIRST_MOMENT, copy(firstMoments.get(param.name()), manager));
      tensors.put(
          param.name() + AdamWState.SECOND_MOMENT, copy(secondMoments.get(param.name()), manager));
    }
    return new AdamWState(step, tensors);
  }

  private static NDArray copy(NDArray source, NDManager manager) {
    NDArray copy = source.duplicate();
    copy.attach(manager);
    NDScope.unregister(copy);
    return copy;
  }

  /**
   * Replaces the step count and moments with copies of {@code state}'s, which must name exactly
   * this optimizer's parameters with their shapes. The state's arrays stay the caller's.
   */
  @Override
  public void importState(AdamWState state) {
    Set<String> expected = new TreeSet<>();
    for (OptimParam param : params) {
      expected.add(param.name() + AdamWState.FIRST_MOMENT);
      expected.add(param.name() + AdamWState.SECOND_MOMENT);
    }
    if (!expected.equals(new TreeSet<>(state.tensors().keySet()))) {
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(state.tensors().keySet());
      Set<String> unknown = new TreeSet<>(state.tensors().keySet());
      unknown.removeAll(expected);
      throw new IllegalArgumentException(
          "optimizer state does not match the parameters: missing "
              + missing
              + ", unknown "
              + unknown);
    }
    Map<String, NDArray> first = new LinkedHashMap<>();
    Map<String, NDArray> second = new LinkedHashMap<>();
    try {
      for (OptimParam param : params) {
        first.put(param.name(), loaded(state, param, AdamWState.FIRST_MOMENT));
        second.put(param.name(), loaded(state, param, AdamWState.SECOND_MOMENT));
      }
    } catch (RuntimeException e) {
      first.values().forEach(NDArray::close);
      second.values().forEach(NDArray::close);
      throw e;
    }
    firstMoments.values().forEach(NDArray::close);
    secondMoments.values().forEach(NDArray::close);
    firstMoments.putAll(first);
    secondMoments.putAll(second);
    step = state.step();
  }

  private NDArray loaded(AdamWState state, OptimParam param, String suffix) {
    String name = param.name() + suffix;
    NDArray source = state.tensors().get(name);
    NDArray array = param.array();
    if (!source.getShape().equals(array.getShape()) || source.getDataType() != DataType.FLOAT32) {
      throw new IllegalArgumentException(
          "optimizer state "
              + name
              + " is "
              + source.getDataType()
              + " "
              + source.getShape()
              + ", expected float32 "
              + array.getShape());
    }
    NDArray copy =
        source.getDevice().equals(array.getDevice())
            ? source.duplicate()
            : source.toDevice(array.getDevice(), true);
    copy.attach(stateManager);
    NDScope.unregister(copy);
    return copy;
  }

  /** Two float32 moments of each parameter's shape. */
  @Override
  public Map<String, Long> stateBytes() {
    Map<String, Long> bytes = new LinkedHashMap<>();
    for (OptimParam param : params) {
      bytes.put(param.name(), 2 * Float.BYTES * param.array().size());
    }
    return bytes;
  }

  @Override
  public void close() {
    stateManager.close();
  }
}
