/**
 * Checkpoint files on disk: one folder per step, written by every rank and published atomically.
 *
 * <p><b>Protocol.</b> Each rank writes its own files into {@code step-00000042.partial/rank-0000r/}
 * ({@link ai.llep.trainer.checkpoint.CheckpointLayout#prepareRank}), flushes them to disk and seals
 * them ({@link ai.llep.trainer.checkpoint.CheckpointLayout#sealRank}: every file's size and
 * SHA-256, hashed by the rank that wrote it, so the ranks hash in parallel and no rank hashes while
 * the others wait in a collective for it alone). The caller then runs a barrier; after it, rank 0
 * alone calls {@link ai.llep.trainer.checkpoint.CheckpointLayout#commit}, which merges the seals
 * into a manifest (checking each rank's files against its seal), writes it as the {@code COMPLETE}
 * marker and renames the {@code .partial} folder to {@code step-00000042/} in one atomic move. A
 * crash at any point leaves either the previous complete checkpoint as the newest one or the new
 * one whole. The manifest names the training run that wrote it, so that retention touches only that
 * run's folders.
 *
 * <p><b>Resume.</b> {@link ai.llep.trainer.checkpoint.CheckpointLayout#latest} returns the newest
 * step folder whose manifest matches its files, skipping {@code .partial} folders and folders with
 * a missing, unreadable or contradicted manifest; the trainer verifies the same way with the files
 * shared out between the ranks ({@link ai.llep.trainer.checkpoint.CheckpointLayout#share}).
 */
package ai.llep.trainer.checkpoint;
