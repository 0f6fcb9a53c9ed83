package ai.llep.models.hf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import org.apache.commons.io.file.PathUtils;

/**
 * Writes that are all or nothing: into a temporary sibling, forced to disk, then renamed over the
 * target, so a crash leaves either the old file or the complete new one (plus, at worst, a stray
 * hidden temporary).
 */
final class AtomicFiles {
  private static final SecureRandom RANDOM = new SecureRandom();

  private AtomicFiles() {}

  /** What writes a file's content through an open channel. */
  @FunctionalInterface
  interface Content {
    void writeTo(FileChannel channel) throws IOException;
  }

  static void write(Path target, Content content) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path temp = temporarySibling(target);
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        content.writeTo(channel);
        channel.force(true);
      }
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temp);
      throw e;
    }
    forceDirectory(dir);
  }

  /**
   * A fresh hidden name beside {@code target}. Created by the caller with default permissions (the
   * umask), unlike {@code Files.createTemp*}, whose owner-only files would make the checkpoint
   * unreadable to the rest of a cluster's users.
   */
  static Path temporarySibling(Path target) {
    Path absolute = target.toAbsolutePath();
    String suffix = Long.toHexString(RANDOM.nextLong() >>> 1);
    return absolute.resolveSibling("." + absolute.getFileName() + "." + suffix + ".tmp");
  }

  static void writeString(Path target, String text) throws IOException {
    write(
        target,
        channel -> writeFully(channel, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
  }

  static void writeFully(FileChannel channel, ByteBuffer bytes) throws IOException {
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /** Makes a rename in {@code dir} durable; a no-op where directories cannot be opened. */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (UnsupportedOperationException | AccessDeniedException e) {
      // Some platforms cannot sync a directory; the rename is then as durable as they allow.
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (Files.exists(root)) {
      PathUtils.deleteDirectory(root);
    }
  }
}
