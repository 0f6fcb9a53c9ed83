/**
 * What the experts of each model family compute, as {@link ai.llep.dispatch.ExpertFunction}s the
 * dispatcher runs on its groups of rows: {@link ai.llep.models.experts.SwiGluExperts} (Mixtral,
 * Qwen3-MoE, OLMoE; optional biases) and {@link ai.llep.models.experts.GptOssExperts} (gpt-oss's
 * clamped variant with interleaved gate and up). Each declares its tensors in the order they are
 * stacked, lent to helper ranks and named in checkpoints, and builds its computation from the
 * group's projections, so one definition runs as a single expert, a padded batch or a grouped GEMM.
 *
 * <p>Shape suffixes: D hidden size, F expert FFN size, E experts.
 */
package ai.llep.models.experts;
