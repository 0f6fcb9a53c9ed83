/**
 * MoE causal language models for LLEP fine-tuning. {@link ai.llep.models.MoeTransformer} holds one
 * rank's share of a Mixtral, Qwen3-MoE or OLMoE model (dense weights replicated, experts sliced),
 * runs a forward pass that records the distributed tape (a cut at every decoder layer input, so
 * each backward call walks one layer) and exposes its parameters by Hugging Face name and kind
 * ({@link ai.llep.models.ParameterRegistry}) for the trainer's all-reduce, freezing and saving.
 *
 * <p>Sub-packages: {@code family} (configs and tensor names), {@code layers} (attention, norms,
 * MLP, loss over plain tensors), {@code moe} (router and dispatch), {@code hf} (checkpoint IO),
 * {@code tokenizer}.
 *
 * <p>Shape suffixes: B batch rows, S positions, T tokens (B * S), D hidden, V vocabulary.
 */
package ai.llep.models;
