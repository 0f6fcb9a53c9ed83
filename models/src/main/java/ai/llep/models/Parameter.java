package ai.llep.models;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * One model parameter: its name, its kind and the array (owned by the model; gradients accumulate
 * on it). A rank's experts of one MoE layer are held as one stacked parameter per projection, so
 * that small experts train as batched GEMMs; checkpoints still hold one tensor per expert, the
 * stack's slices, named in {@code sliceNames}.
 *
 * @param name the Hugging Face checkpoint name, or for a stack the name from {@code
 *     TensorNames.expertStack}
 * @param layer the decoder layer, or -1 for embeddings, final norm and LM head
 * @param expert the global expert id of an {@link ParameterKind#EXPERT} tensor, or the first expert
 *     of a stack; -1 for other kinds
 * @param sliceNames for a stack, the checkpoint name of each slice along dimension 0 (experts
 *     {@code expert}, {@code expert + 1}, ...); empty for a parameter stored as it is
 */
public record Parameter(
    String name,
    ParameterKind kind,
    int layer,
    int expert,
    NDArray array,
    List<String> sliceNames) {
  public Parameter {
    sliceNames = List.copyOf(sliceNames);
    if (!sliceNames.isEmpty() && array.getShape().get(0) != sliceNames.size()) {
      throw new IllegalArgumentException(
          "parameter "
              + name
              + " stacks "
              + sliceNames.size()
              + " checkpoint tensors but has shape "
              + array.getShape());
    }
  }

  /** A parameter stored in checkpoints as it is. */
  public Parameter(String name, ParameterKind kind, int layer, int expert, NDArray array) {
    this(name, kind, layer, expert, array, List.of());
  }

  public boolean stacked() {
    return !sliceNames.isEmpty();
  }

  /** The checkpoint tensors this parameter holds, in order. */
  public List<String> checkpointNames() {
    return stacked() ? sliceNames : List.of(name);
  }

  /**
   * {@code tensor} (this parameter's array, its gradient or an optimizer moment: anything of its
   * shape) by checkpoint name: itself, or for a stack a view of each slice (no copy), attached to
   * {@code scope}.
   */
  public SequencedMap<String, NDArray> byCheckpointName(NDArray tensor, NDManager scope) {
    if (!tensor.getShape().equals(array.getShape())) {
      throw new IllegalArgumentException(
          "a tensor of shape "
              + tensor.getShape()
              + " given for parameter "
              + name
              + ", which has "
              + array.getShape());
    }
    SequencedMap<String, NDArray> out = new LinkedHashMap<>();
    if (!stacked()) {
      out.put(name, tensor);
      return out;
    }
    for (int i = 0; i < sliceNames.size(); i++) {
      NDArray slice = tensor.get(i);
      slice.attach(scope);
      out.put(sliceNames.get(i), slice);
    }
    return out;
  }

  /**
   * This parameter as checkpoint tensors: itself, or for a stack one parameter per slice whose
   * array is a view of the stack, attached to {@code scope}.
   */
  public List<Parameter> checkpointTensors(NDManager scope) {
    if (!stacked()) {
      return List.of(this);
    }
    List<Parameter> out = new ArrayList<>(sliceNames.size());
    int i = 0;
    for (var slice : byCheckpointName(array, scope).entrySet()) {
      out.add(new Parameter(slice.getKey(), kind, layer, expert + i++, slice.getValue()));
    }
    return out;
  }
}
