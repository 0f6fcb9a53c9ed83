/**
 * Expert-parallel dispatch of MoE tokens: standard EP and LLEP behind one dispatcher, which runs
 * the model's {@link ai.llep.dispatch.ExpertFunction} on the rows it routes to each rank (as padded
 * batches of neighbouring experts, single experts or one grouped call; {@link
 * ai.llep.dispatch.ExpertGemm}) and knows nothing of what the experts compute.
 *
 * <p>Shape suffixes of tensor variables: T tokens on this rank, K experts per token, S slots
 * ((token, k) pairs) this rank sends, R rows this rank receives and computes, G those rows grouped
 * by expert, M rows per expert of a padded batch, D hidden size, F expert FFN size, N experts in
 * the layer, E experts of a stack or group, P ranks. {@code x_SD} is a slots-by-hidden matrix.
 */
package ai.llep.dispatch;
