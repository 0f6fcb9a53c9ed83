package ai.llep.trainer.natives;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * An exclusive lock on a file in DJL's cache folder, shared by every process on the machine (the
 * ranks of one job and of other jobs). The operating system releases it when its holder exits,
 * however that happens, so a crashed holder never blocks the next one.
 */
final class CacheLock implements AutoCloseable {
  static final String FILE_NAME = ".llep-natives.lock";

  private static final Logger LOG = LogManager.getLogger(CacheLock.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration SAY_AFTER = Duration.ofSeconds(5);

  private final FileChannel channel;
  private final FileLock lock;

  private CacheLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Waits up to {@code patience} for the lock on {@code dir/.llep-natives.lock}, saying so after a
   * few seconds. Null when the folder cannot hold the lock file (a read-only cache: nothing can be
   * unpacked there, by anyone).
   */
  static CacheLock acquire(Path dir, Duration patience) {
    Path file = dir.resolve(FILE_NAME);
    FileChannel channel;
    try {
      Files.createDirectories(dir);
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      LOG.warn("cannot create the lock file {} ({}); going on without it", file, e.toString());
      return null;
    }
    long start = System.nanoTime();
    boolean said = false;
    try {
      while (true) {
        FileLock lock = channel.tryLock();
        if (lock != null) {
          return new CacheLock(channel, lock);
        }
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        if (waited.compareTo(patience) > 0) {
          throw new IllegalStateException(
              "waited "
                  + patience.toMinutes()
                  + " minutes for "
                  + file
                  + ", which another process holds while it unpacks DJL's native libraries;"
                  + " stop that process or point DJL_CACHE_DIR at another folder");
        }
        if (!said && waited.compareTo(SAY_AFTER) > 0) {
          LOG.info("waiting for another process to unpack DJL's native libraries ({})", file);
          said = true;
        }
        Thread.sleep(POLL);
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      closeQuietly(channel);
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      if (e instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("could not lock " + file + ": " + e, e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException e) {
      LOG.debug("releasing {}: {}", lock, e.toString());
    } finally {
      closeQuietly(channel);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("closing a lock file: {}", e.toString());
    }
  }
}
