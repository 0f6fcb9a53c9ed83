/**
 * The {@code generate} command's work on one rank: prompts rendered with the model's chat template,
 * split over the ranks (each rank holds its experts, so every forward pass is a collective and the
 * ranks step in lock step), batched with left padding, run once through the model, then decoded one
 * token per row per step through the key/value cache; greedy or sampled tokens, stopped at EOS, a
 * stop string or the token limit; the completions gathered on rank 0, printed and written as JSONL.
 */
package ai.llep.trainer.generate;
