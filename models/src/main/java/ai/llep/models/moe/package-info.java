/**
 * The MoE block of a decoder layer: router, top-k selection and the hand-over to the block's own
 * EP/LLEP dispatcher of {@code ai.llep.dispatch}, which runs the family's expert function ({@code
 * ai.llep.models.experts}) across ranks.
 *
 * <p>Shape suffixes: T tokens on this rank, D hidden size, E experts, K experts per token, S slots
 * ((token, k) pairs, token-major: slot t * K + k).
 */
package ai.llep.models.moe;
