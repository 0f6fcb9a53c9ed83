/**
 * Transformer building blocks over plain parameter tensors: embedding lookup, RMSNorm, rotary
 * embeddings, grouped-query causal self-attention with the families' query/key norms (through
 * libtorch's fused attention, kept inside each packed example by {@link
 * ai.llep.models.layers.Segments}), the SwiGLU MLP, and the causal-LM loss (from full logits, or
 * chunk by chunk from the hidden states in training: {@link ai.llep.models.layers.ChunkedLmLoss}).
 *
 * <p>Why plain tensors and not DJL {@code Block}s: the backward is driven by the distributed tape
 * ({@code ai.llep.tape}), which cuts the graph at every communication and at every decoder layer,
 * so DJL's {@code Trainer}/{@code GradientCollector} machinery cannot run it; parameters must carry
 * Hugging Face names and a kind (dense, router, expert) so the trainer can all-reduce, freeze and
 * save them; and a rank holds only its own experts, which a block tree would hide. Each layer
 * therefore holds the parameter arrays it reads (owned by the model's manager) and is otherwise
 * stateless.
 *
 * <p>Ownership: a forward pass creates every tensor under the manager of its input activations (the
 * caller's per-step manager). Parameters enter a pass through {@link
 * ai.llep.models.layers.StepView}, a view attached to that manager, because DJL attaches a result
 * to the manager of its first operand: {@code weight.transpose()} on the parameter itself would
 * leave one handle per step in the model's manager.
 *
 * <p>Shape suffixes of tensor variables: B batch rows, S sequence positions, T tokens (B * S,
 * row-major), D hidden size, H query heads, G key/value heads, C head dim, F MLP width, V
 * vocabulary, E experts, K experts per token. {@code q_BHSC} is batch by heads by positions by head
 * dim.
 */
package ai.llep.models.layers;
