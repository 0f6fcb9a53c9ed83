package ai.llep.models.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.FiniteValues;
import ai.llep.models.hf.TensorSource;
import ai.llep.tape.GradMode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The float32 adapter matrices of one rank: read from a source that holds them under {@link
 * LoraSites}' names (an adapter of PEFT's, a checkpoint), or drawn as PEFT initialises them, each
 * from the seed and its name alone, so that an expert's adapters are the same whichever rank owns
 * it, whatever the world size.
 */
final class AdapterTensors {
  private final LoraSpec spec;
  private final TensorSource initial;
  private final NDManager manager;

  /**
   * @param initial where the adapters start, or null to draw new ones
   */
  AdapterTensors(LoraSpec spec, TensorSource initial, NDManager manager) {
    this.spec = spec;
    this.initial = initial;
    this.manager = manager;
  }

  /** A trainable lora_A [r, in] of the adapter named {@code name}. */
  NDArray a(String name, long in) {
    return trainable(matrix(name, new Shape(spec.rank(), in), true, in));
  }

  /** A trainable lora_B [out, r]. */
  NDArray b(String name, long out) {
    return trainable(matrix(name, new Shape(out, spec.rank()), false, 0));
  }

  /**
   * The experts' matrices {@code names} (one per expert, each {@code shape}) stacked, trainable.
   */
  NDArray stack(String[] names, Shape shape, boolean isA, long in) {
    NDList slices = new NDList(names.length);
    for (String name : names) {
      slices.add(matrix(name, shape, isA, in));
    }
    NDArray stack;
    // Made outside any graph: the stack is a leaf of its own, not a function of the slices.
    try (GradMode off = GradMode.disabled()) {
      stack = NDArrays.stack(slices, 0);
    }
    slices.forEach(NDArray::close);
    return trainable(stack);
  }

  private static NDArray trainable(NDArray array) {
    array.setRequiresGradient(true);
    return array;
  }

  private NDArray matrix(String name, Shape shape, boolean isA, long in) {
    NDArray array = initial == null ? drawn(name, shape, isA, in) : read(name, shape);
    array.attach(manager);
    return array;
  }

  private NDArray read(String name, Shape shape) {
    if (!initial.names().contains(name)) {
      throw new IllegalArgumentException(
          "the adapter has no tensor " + name + " (lora.targets asks for it)");
    }
    Shape stored = initial.shape(name);
    if (!stored.equals(shape)) {
      throw new IllegalArgumentException(
          "adapter tensor "
              + name
              + " has shape "
              + stored
              + ", but lora.rank="
              + spec.rank()
              + " and the model need "
              + shape);
    }
    NDArray array = initial.read(name, manager, DataType.FLOAT32);
    try {
      FiniteValues.require(name, array);
    } catch (IllegalArgumentException e) {
      array.close();
      throw e;
    }
    return array;
  }

  /** PEFT's initialisation: A by {@link LoraSpec#init}, B zeros. */
  private NDArray drawn(String name, Shape shape, boolean isA, long in) {
    float[] values = new float[Math.toIntExact(shape.size())];
    if (isA) {
      SplittableRandom random = new SplittableRandom(seedOf(spec.seed(), name));
      double bound = 1 / Math.sqrt(in);
      double std = 1.0 / spec.rank();
      for (int i = 0; i < values.length; i++) {
        values[i] =
            (float)
                switch (spec.init()) {
                  case KAIMING -> random.nextDouble(-bound, bound);
                  case GAUSSIAN -> random.nextGaussian() * std;
                };
      }
    } else {
      Arrays.fill(values, 0f);
    }
    return manager.create(values, shape);
  }

  /** FNV-1a of the name, mixed with the seed through SplitMix64's finaliser. */
  private static long seedOf(long seed, String name) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    long z = seed * 0x9E3779B97F4A7C15L + hash;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
