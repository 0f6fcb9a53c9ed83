package ai.llep.trainer.checkpoint;

import com.google.gson.FieldNamingPolicy;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * What a complete checkpoint holds: its step, the world size that wrote it, the training run that
 * wrote it, and every file (path relative to the step folder, with {@code /} separators) with its
 * size and SHA-256. Stored as JSON in the step folder's {@code COMPLETE} marker.
 *
 * @param run the identity of the training run (kept across its resumed launches); null in
 *     checkpoints written before runs were recorded, which no run claims as its own
 */
public record CheckpointManifest(
    int format, long step, int worldSize, String run, List<FileEntry> files) {
  /** The only manifest format this code writes and reads. */
  public static final int FORMAT = 1;

  private static final Gson GSON =
      new GsonBuilder()
          .setFieldNamingPolicy(FieldNamingPolicy.LOWER_CASE_WITH_UNDERSCORES)
          .setPrettyPrinting()
          .disableHtmlEscaping()
          .create();

  public CheckpointManifest {
    if (format != FORMAT) {
      throw new IllegalArgumentException(
          "checkpoint manifest format " + format + " is not supported (expected " + FORMAT + ")");
    }
    if (step < 0) {
      throw new IllegalArgumentException("checkpoint step must be >= 0, got " + step);
    }
    if (worldSize < 1) {
      throw new IllegalArgumentException("checkpoint world size must be >= 1, got " + worldSize);
    }
    files = List.copyOf(Objects.requireNonNull(files, "files"));
  }

  /** One file of a checkpoint. */
  public record FileEntry(String path, long size, String sha256) {
    public FileEntry {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sha256, "sha256");
      if (size < 0) {
        throw new IllegalArgumentException("file size must be >= 0, got " + size + " for " + path);
      }
    }
  }

  /** Whether {@code run} wrote this checkpoint. */
  public boolean writtenBy(String run) {
    return this.run != null && this.run.equals(run);
  }

  /** The total size of all files, in bytes. */
  public long totalBytes() {
    return files.stream().mapToLong(FileEntry::size).sum();
  }

  /** SHA-256 of the manifest as stored: ranks that read the same manifest get the same digest. */
  public String digest() {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(toJson().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
  }

  String toJson() {
    return GSON.toJson(this) + "\n";
  }

  /**
   * Parses a manifest.
   *
   * @throws IllegalArgumentException if the text is not a valid manifest
   */
  static CheckpointManifest parse(String json) {
    try {
      CheckpointManifest manifest = GSON.fromJson(json, CheckpointManifest.class);
      if (manifest == null) {
        throw new IllegalArgumentException("empty manifest");
      }
      return manifest;
    } catch (RuntimeException e) {
      // Gson reports a record whose constructor rejected the values as a plain RuntimeException.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException("malformed manifest: " + cause.getMessage(), e);
    }
  }
}
