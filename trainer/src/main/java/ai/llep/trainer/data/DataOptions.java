package ai.llep.trainer.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The {@code data} section: what to train on and how examples become rows.
 *
 * @param files JSONL files, read in order; never empty (no recipe but the tiny one brings data)
 * @param template the chat template and its options ({@code data.template} and the keys after it)
 * @param maxLength tokens per row
 * @param packing one example per row, or examples back to back
 * @param batchSize rows per micro-batch on each rank
 * @param skipBadLines skip (and count) malformed lines instead of stopping at the first
 * @param truncation what happens to examples longer than {@code maxLength}
 */
public record DataOptions(
    List<Path> files,
    TemplateSetting template,
    int maxLength,
    SequencePacker.Mode packing,
    int batchSize,
    boolean skipBadLines,
    Truncation truncation) {
  public DataOptions {
    files = List.copyOf(files);
    Objects.requireNonNull(template, "template");
    Objects.requireNonNull(packing, "packing");
    Objects.requireNonNull(truncation, "truncation");
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "data.files is empty: name the JSONL files to train on, e.g."
              + " 'data.files=[\"train.jsonl\"]' (only recipes/tiny-moe-sft.conf brings data of"
              + " its own)");
    }
    if (maxLength < 2) {
      throw new IllegalArgumentException("data.max-length must be >= 2, got " + maxLength);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("data.batch-size must be >= 1, got " + batchSize);
    }
  }
}
