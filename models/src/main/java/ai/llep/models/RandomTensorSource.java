package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.hf.TensorSource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The tensors of a fresh model, drawn on demand. Each tensor's values depend only on the seed and
 * its name, so every rank draws the same dense weights and an expert is identical whichever rank
 * owns it, whatever the world size.
 */
final class RandomTensorSource implements TensorSource {
  /** Values per random stream: tensors of at most this many values draw from one stream. */
  static final int BLOCK = 1 << 16;

  private final Map<String, TensorSpec> specs = new LinkedHashMap<>();
  private final long seed;
  private final double std;

  RandomTensorSource(ModelConfig config, long seed) {
    for (TensorSpec spec : TensorLayout.all(config)) {
      specs.put(spec.name(), spec);
    }
    this.seed = seed;
    this.std = config.initializerRange();
  }

  @Override
  public Set<String> names() {
    return Collections.unmodifiableSet(specs.keySet());
  }

  @Override
  public Shape shape(String name) {
    return spec(name).shape();
  }

  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    TensorSpec spec = spec(name);
    float[] values = new float[Math.toIntExact(spec.shape().size())];
    switch (spec.init()) {
      case ONES -> Arrays.fill(values, 1f);
      case ZEROS -> Arrays.fill(values, 0f);
      case NORMAL -> drawNormal(values, tensorSeed(seed, name));
    }
    NDArray array = manager.create(values, spec.shape());
    if (computeType == DataType.FLOAT32) {
      return array;
    }
    try (array) {
      // DJL's own cast aborts the JVM on bfloat16.
      return computeType == DataType.BFLOAT16
          ? Aten.cast(array, computeType)
          : array.toType(computeType, true);
    }
  }

  /**
   * Fills {@code values} with normal draws, {@link #BLOCK} values per random stream: the first
   * block's stream is seeded by the tensor's seed alone, each later block's by that seed and the
   * block's index, so the values do not depend on how many threads draw them.
   */
  private void drawNormal(float[] values, long tensorSeed) {
    int blocks = (values.length + BLOCK - 1) / BLOCK;
    IntStream range = IntStream.range(0, blocks);
    (blocks > 1 ? range.parallel() : range)
        .forEach(
            block -> {
              SplittableRandom random =
                  new SplittableRandom(block == 0 ? tensorSeed : mix(tensorSeed + block));
              int end = Math.min(values.length, (block + 1) * BLOCK);
              for (int i = block * BLOCK; i < end; i++) {
                values[i] = (float) (random.nextGaussian() * std);
              }
            });
  }

  private TensorSpec spec(String name) {
    TensorSpec spec = specs.get(name);
    if (spec == null) {
      throw new IllegalArgumentException("a model of this config has no tensor " + name);
    }
    return spec;
  }

  /** FNV-1a of the name, mixed with the seed through SplitMix64's finaliser. */
  static long tensorSeed(long seed, String name) {
    long hash = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
    }
    return mix(seed * 0x9E3779B97F4A7C15L + hash);
  }

  /** SplitMix64's finaliser. */
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
