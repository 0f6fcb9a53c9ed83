/**
 * The MoE block of a decoder layer: router, top-k selection and the hand-over to the EP/LLEP
 * dispatcher of {@code ai.llep.dispatch}, which runs the experts across ranks.
 *
 * <p>Shape suffixes: T tokens on this rank, D hidden size, E experts, K experts per token, S slots
 * ((token, k) pairs, token-major: slot t * K + k).
 */
package ai.llep.models.moe;
