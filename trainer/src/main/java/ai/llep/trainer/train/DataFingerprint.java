package ai.llep.trainer.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * SHA-256 over the data files' contents, in order, each preceded by its length: a resumed run
 * compares it with its checkpoint's to know the data has not changed under it. NOTE: reads every
 * data file once (rank 0, at start).
 */
final class DataFingerprint {
  private static final int BUFFER_BYTES = 1 << 20;

  private DataFingerprint() {}

  static String of(List<Path> files) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-256", e);
    }
    byte[] buffer = new byte[BUFFER_BYTES];
    for (Path file : files) {
      try (InputStream in = Files.newInputStream(file)) {
        digest.update(ByteBuffer.allocate(Long.BYTES).putLong(Files.size(file)).array());
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          digest.update(buffer, 0, read);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read data file " + file + ": " + e.getMessage(), e);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
