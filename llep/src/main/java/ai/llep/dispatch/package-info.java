/**
 * Expert-parallel dispatch of MoE tokens: standard EP and LLEP behind one dispatcher.
 *
 * <p>Shape suffixes of tensor variables: T tokens on this rank, K experts per token, S slots
 * ((token, k) pairs) this rank sends, R rows this rank receives and computes, D hidden size, F
 * expert FFN size, N experts, P ranks. {@code x_SD} is a slots-by-hidden matrix.
 */
package ai.llep.dispatch;
