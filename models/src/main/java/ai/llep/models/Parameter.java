package ai.llep.models;

import ai.djl.ndarray.NDArray;

/**
 * One model parameter: its Hugging Face checkpoint name, its kind and the array (owned by the
 * model; gradients accumulate on it).
 *
 * @param layer the decoder layer, or -1 for embeddings, final norm and LM head
 * @param expert the global expert id for {@link ParameterKind#EXPERT}, else -1
 */
public record Parameter(String name, ParameterKind kind, int layer, int expert, NDArray array) {}
