/**
 * The optimizer step: AdamW with decoupled weight decay, learning-rate schedules, and global
 * gradient-norm clipping across ranks.
 *
 * <p>Updates run with autograd off and in place, so the parameter arrays the model holds stay the
 * same leaves, still recording gradients for the next step. Optimizer moments are float32 arrays
 * owned by the optimizer, on the device of their parameter. {@link ai.llep.trainer.optim.AdamW}
 * holds the moments of every parameter it updates; {@link ai.llep.trainer.optim.ShardedAdamW}
 * (ZeRO-1) splits the replicated parameters' moments between the ranks by element ({@link
 * ai.llep.trainer.optim.ElementPartition}) and all-gathers the updated weights; in bf16 training it
 * splits their float32 master weights too ({@link ai.llep.trainer.optim.MasterChunk}), the model
 * holding those parameters in bfloat16.
 */
package ai.llep.trainer.optim;
