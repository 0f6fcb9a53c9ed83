package ai.llep.trainer.checkpoint;

import ai.llep.trainer.checkpoint.CheckpointManifest.FileEntry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads a step folder's manifest and checks the folder's files against it. */
final class ManifestCheck {
  private ManifestCheck() {}

  /** A manifest read from a step folder, or the reason it could not be used. */
  record Outcome(Optional<CheckpointManifest> manifest, String problem) {
    static Outcome ok(CheckpointManifest manifest) {
      return new Outcome(Optional.of(manifest), "");
    }

    static Outcome bad(String problem) {
      return new Outcome(Optional.empty(), problem);
    }
  }

  /** The manifest alone: present, well-formed and of this step; no file is looked at. */
  static Outcome read(Path stepDir, long step) {
    CheckpointManifest manifest;
    try {
      String json =
          Files.readString(stepDir.resolve(CheckpointLayout.COMPLETE), StandardCharsets.UTF_8);
      manifest = CheckpointManifest.parse(json);
    } catch (NoSuchFileException e) {
      return Outcome.bad("no " + CheckpointLayout.COMPLETE + " marker");
    } catch (IOException e) {
      return Outcome.bad("cannot read " + CheckpointLayout.COMPLETE + ": " + e.getMessage());
    } catch (IllegalArgumentException e) {
      return Outcome.bad(e.getMessage());
    }
    if (manifest.step() != step) {
      return Outcome.bad("manifest says step " + manifest.step() + ", folder says " + step);
    }
    return Outcome.ok(manifest);
  }

  static Outcome check(Path stepDir, long step, CheckpointLayout.Verify verify) {
    Outcome read = read(stepDir, step);
    if (read.manifest().isEmpty() || verify == CheckpointLayout.Verify.MANIFEST) {
      return read;
    }
    String problem = checkFiles(stepDir, read.manifest().get().files(), verify);
    return problem.isEmpty() ? read : Outcome.bad(problem);
  }

  /** The first problem with {@code entries} of {@code stepDir}, or an empty string. */
  static String checkFiles(Path stepDir, List<FileEntry> entries, CheckpointLayout.Verify verify) {
    for (FileEntry entry : entries) {
      String problem = checkFile(stepDir, entry, verify);
      if (!problem.isEmpty()) {
        return problem;
      }
    }
    return "";
  }

  private static String checkFile(Path stepDir, FileEntry entry, CheckpointLayout.Verify verify) {
    Path file = stepDir.resolve(entry.path()).normalize();
    if (!file.startsWith(stepDir.normalize())) {
      return "manifest entry " + entry.path() + " points outside the checkpoint";
    }
    try {
      long size = Files.size(file);
      if (size != entry.size()) {
        return entry.path() + " has " + size + " bytes, manifest says " + entry.size();
      }
      if (verify == CheckpointLayout.Verify.CONTENTS) {
        String sha256 = FileDigest.sha256(file);
        if (!sha256.equals(entry.sha256())) {
          return entry.path() + " has SHA-256 " + sha256 + ", manifest says " + entry.sha256();
        }
      }
      return "";
    } catch (NoSuchFileException e) {
      return entry.path() + " is missing";
    } catch (IOException e) {
      return "cannot read " + entry.path() + ": " + e.getMessage();
    }
  }
}
