/**
 * LoRA over a frozen base, as PEFT computes it: {@code y = x W^T + scale * (dropout(x) A^T) B^T}
 * with A [r, in] and B [out, r], {@code scale = alpha / r} ({@code alpha / sqrt(r)} with rsLoRA),
 * on attention projections, dense MLP projections and the experts. Each expert has adapters of its
 * own, stacked like the experts' weights: the fused gate and up projection of transformers 5's MoE
 * layers ({@code mlp.experts.gate_up_proj}, one A shared by gate and up, one B whose first F rows
 * adapt gate and the rest up) and the down projection ({@code mlp.experts.down_proj}). The expert
 * adapters are tensors of the expert function ({@link ai.llep.models.lora.LoraSwiGluExperts}), so a
 * borrowed expert carries its adapters to its helper and their gradients come back to the owner;
 * the base tensors are frozen, so they return nothing.
 *
 * <p>Files: {@link ai.llep.models.lora.PeftAdapterSource} reads and {@link
 * ai.llep.models.lora.PeftAdapterWriter} writes PEFT's {@code adapter_config.json} and {@code
 * adapter_model.safetensors}; {@link ai.llep.models.lora.MergedTensors} is the base with the
 * adapters merged in, as PEFT's {@code merge_and_unload} makes it.
 *
 * <p>Shape suffixes: T tokens, I in features, O out features, R rank, D hidden, F expert FFN size,
 * E experts.
 */
package ai.llep.models.lora;
