/**
 * The distributed tape: backward across ranks.
 *
 * <p>DJL has no custom autograd functions, so every communication cuts the local graph. Each cut is
 * an {@link ai.llep.tape.TapeEdge} recorded in forward order: the sending side keeps the tensor
 * that is still in its graph, the receiving side gets a fresh leaf, and the edge knows the
 * collective that carries the leaf's gradient back. {@link ai.llep.tape.DistributedTape#backward}
 * runs the local backward from the loss and then walks the edges in reverse forward order; an
 * edge's leaf gradient is complete when it is reached, because every use of the leaf happened later
 * in forward.
 *
 * <p>A checkpoint ({@link ai.llep.tape.DistributedTape#checkpoint}) is an edge too: its segment ran
 * without autograd, and when the backward reaches it the segment runs again under a tape of its own
 * and that tape's backward runs there; its output's gradient is complete by the same argument, and
 * every rank reaches it, and so its inner collectives, at the same point.
 */
package ai.llep.tape;
