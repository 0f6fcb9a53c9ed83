/**
 * The MoE-layer benchmark of the LLEP notes: one layer of a published model (or a custom one),
 * every rank holding only its own experts, timed under standard EP and LLEP for synthetic routings,
 * against the ceiling any balancer could reach and the compute floor of a perfectly balanced load.
 *
 * <p>Shape suffixes of tensor variables: T tokens on this rank, K experts per token, D hidden size,
 * F expert FFN size, R rows of the compute floor on this rank.
 */
package ai.llep.trainer.bench;
