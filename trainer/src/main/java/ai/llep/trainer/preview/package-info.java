/**
 * The {@code preview} command's work: examples rendered, tokenized and masked exactly as training
 * takes them, shown with the learned tokens marked and written as JSON lines.
 */
package ai.llep.trainer.preview;
