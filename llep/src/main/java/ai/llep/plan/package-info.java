/**
 * The LLEP planner: from the all-gathered P x N slot count matrix to the plan of one MoE layer
 * (which rank computes which slots of which expert, which expert weights move) and from the plan to
 * the dispatcher's message sizes and order.
 *
 * <p>Symbols: P ranks, N experts, M = N / P experts per rank (expert e native to rank e / M), K
 * experts per token, a slot is one (token, k) pair, c[e] the global slot count of expert e, T the
 * sum of c. The algorithm and its golden vectors are specified in the project's LLEP notes; the
 * planner is pure Java on primitive arrays and knows no tensors.
 */
package ai.llep.plan;
