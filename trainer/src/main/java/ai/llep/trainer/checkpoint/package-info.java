/**
 * Checkpoint files on disk: one folder per step, written by every rank and published atomically.
 *
 * <p><b>Protocol.</b> Each rank writes its own files into {@code step-00000042.partial/rank-0000r/}
 * ({@link ai.llep.trainer.checkpoint.CheckpointLayout#prepareRank}) and flushes them to disk
 * ({@link ai.llep.trainer.checkpoint.CheckpointLayout#syncRank}). The caller then runs a barrier;
 * after it, rank 0 alone calls {@link ai.llep.trainer.checkpoint.CheckpointLayout#commit}, which
 * lists every file with its size and SHA-256 in a manifest, writes the manifest as the {@code
 * COMPLETE} marker and renames the {@code .partial} folder to {@code step-00000042/} in one atomic
 * move. A crash at any point leaves either the previous complete checkpoint as the newest one or
 * the new one whole.
 *
 * <p><b>Resume.</b> {@link ai.llep.trainer.checkpoint.CheckpointLayout#latest} returns the newest
 * step folder whose manifest matches its files, skipping {@code .partial} folders and folders with
 * a missing, unreadable or contradicted manifest.
 */
package ai.llep.trainer.checkpoint;
