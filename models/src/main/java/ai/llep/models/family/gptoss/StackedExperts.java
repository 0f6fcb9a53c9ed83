package ai.llep.models.family.gptoss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.TensorNames;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.TensorSource;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A gpt-oss folder's tensors with each layer's stacked expert tensors presented one expert at a
 * time, under {@link TensorNames#expertWeight}'s names: reading one expert reads only its rows of
 * the stack ({@code [E, ...]}), so a rank reads only its own experts. An expert weight stored in
 * MXFP4 ({@code gate_up_proj_blocks} and {@code gate_up_proj_scales} in place of {@code
 * gate_up_proj}) is dequantized from its own blocks and scales ({@link Mxfp4}).
 */
final class StackedExperts implements TensorSource {
  /** Where one expert's tensor comes from. */
  private record Slice(String stacked, int expert, Shape shape, boolean mxfp4) {}

  private final HfCheckpoint checkpoint;
  private final Map<String, Slice> slices = new LinkedHashMap<>();
  private final Set<String> names;

  StackedExperts(HfCheckpoint checkpoint, ModelConfig config) {
    this.checkpoint = checkpoint;
    TensorNames names = new TensorNames(ModelFamily.GPT_OSS);
    Set<String> hidden = new HashSet<>();
    for (int layer = 0; layer < config.numLayers(); layer++) {
      for (String proj : GptOss.PROJECTIONS) {
        String stacked = stackedName(layer, proj);
        boolean mxfp4 = !checkpoint.names().contains(stacked) && hasMxfp4(stacked);
        if (!mxfp4 && !checkpoint.names().contains(stacked)) {
          continue;
        }
        Shape shape = mxfp4 ? mxfp4Shape(stacked) : checkpoint.shape(stacked);
        for (int e = 0; e < shape.get(0); e++) {
          slices.put(
              names.expertWeight(layer, e, proj), new Slice(stacked, e, shape.slice(1), mxfp4));
        }
        hidden.add(stacked);
        hidden.add(stacked + "_blocks");
        hidden.add(stacked + "_scales");
      }
    }
    Set<String> all = new TreeSet<>(checkpoint.names());
    all.removeAll(hidden);
    all.addAll(slices.keySet());
    this.names = Collections.unmodifiableSet(all);
  }

  /** The Hugging Face name of a layer's stacked tensor for {@code proj}. */
  static String stackedName(int layer, String proj) {
    return "model.layers." + layer + ".mlp.experts." + new GptOss().expertTensor(proj);
  }

  private boolean hasMxfp4(String stacked) {
    return checkpoint.names().contains(stacked + "_blocks")
        && checkpoint.names().contains(stacked + "_scales");
  }

  /** [E, in, out] from blocks [E, out, in / 32, 16]. */
  private Shape mxfp4Shape(String stacked) {
    Shape blocks = checkpoint.shape(stacked + "_blocks");
    Shape scales = checkpoint.shape(stacked + "_scales");
    if (blocks.dimension() != 4
        || blocks.get(3) != Mxfp4.BLOCK_BYTES
        || !scales.equals(blocks.slice(0, 3))) {
      throw new IllegalArgumentException(
          stacked
              + "_blocks "
              + blocks
              + " and _scales "
              + scales
              + " are not mxfp4 experts [E, out, in / 32, 16] and [E, out, in / 32]");
    }
    return new Shape(blocks.get(0), blocks.get(2) * Mxfp4.BLOCK, blocks.get(1));
  }

  @Override
  public Set<String> names() {
    return names;
  }

  @Override
  public Shape shape(String name) {
    Slice slice = slices.get(name);
    return slice == null ? checkpoint.shape(name) : slice.shape();
  }

  /** An expert's slice is stored as its stack is (MXFP4 dequantizes to floats). */
  @Override
  public Optional<String> integerStorage(String name) {
    Slice slice = slices.get(name);
    if (slice == null) {
      return checkpoint.integerStorage(name);
    }
    return slice.mxfp4() ? Optional.empty() : checkpoint.integerStorage(slice.stacked());
  }

  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    Slice slice = slices.get(name);
    if (slice == null) {
      return checkpoint.read(name, manager, computeType);
    }
    if (!slice.mxfp4()) {
      try (NDArray rows =
          checkpoint.readRows(slice.stacked(), slice.expert(), 1, manager, computeType)) {
        return rows.reshape(slice.shape());
      }
    }
    int in = Math.toIntExact(slice.shape().get(0));
    int out = Math.toIntExact(slice.shape().get(1));
    float[] values =
        Mxfp4.dequantizeTransposed(
            checkpoint.readRowBytes(slice.stacked() + "_blocks", slice.expert(), 1),
            checkpoint.readRowBytes(slice.stacked() + "_scales", slice.expert(), 1),
            out,
            in);
    NDArray array = manager.create(values, slice.shape());
    if (computeType == DataType.FLOAT32) {
      return array;
    }
    try (array) {
      return array.toType(computeType, true);
    }
  }
}
