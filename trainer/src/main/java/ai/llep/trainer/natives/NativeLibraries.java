package ai.llep.trainer.natives;

import ai.djl.engine.Engine;
import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.util.Utils;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Loads DJL's native libraries (the PyTorch engine and the Hugging Face tokenizers) before anything
 * else touches DJL, safely when many processes start at once on a machine whose DJL cache is empty,
 * half-filled or left broken by a crash. Every command that computes with tensors calls {@link
 * #load} first (through {@code Job.start}); code that reaches DJL before a job starts must call it
 * itself.
 *
 * <p>DJL 0.36 unpacks its libraries into {@code DJL_CACHE_DIR} (default {@code ~/.djl.ai}) on first
 * use with no lock between processes: ranks starting together each unpack libtorch (450 MB on CPU),
 * and one can delete the folder another has just put in place ({@code NoSuchFileException:
 * .../jni...tmp}). Here, when anything is missing, one process at a time (holding {@link
 * CacheLock}) repairs the cache and lets DJL unpack and load; the others wait, then find everything
 * in place. A complete cache is loaded without the lock, so ranks do not queue.
 */
public final class NativeLibraries {
  private static final Logger LOG = LogManager.getLogger(NativeLibraries.class);
  private static final Duration LOCK_PATIENCE = Duration.ofMinutes(10);

  private static boolean loaded;

  private NativeLibraries() {}

  /** Unpacks what is missing (one process at a time) and loads both libraries; once per JVM. */
  public static synchronized void load() {
    if (loaded) {
      return;
    }
    Path root = Utils.getEngineCacheDir();
    NativeCache cache = NativeCache.forClassPath(root);
    if (cache.missing().isEmpty() && cache.staleLeftovers().isEmpty()) {
      loadLibraries(cache, root);
    } else {
      CacheLock lock = CacheLock.acquire(root, LOCK_PATIENCE);
      try {
        repairAndLoad(cache, root);
      } finally {
        if (lock != null) {
          lock.close();
        }
      }
    }
    loaded = true;
  }

  private static void repairAndLoad(NativeCache cache, Path root) {
    try {
      cache.repair();
    } catch (IOException e) {
      LOG.warn("could not clean DJL's cache {}: {}", root, e.toString());
    }
    List<String> missing = cache.missing();
    if (!missing.isEmpty()) {
      LOG.info(
          "unpacking DJL's native libraries into {} ({} missing: {}); other processes wait",
          root,
          missing.size() == 1 ? "1 file" : missing.size() + " files",
          missing.size() <= 2 ? String.join(", ", missing) : missing.getFirst() + ", ...");
    }
    loadLibraries(cache, root);
  }

  private static void loadLibraries(NativeCache cache, Path root) {
    try {
      Engine.getEngine("PyTorch");
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "DJL could not load PyTorch's native libraries (cache " + root + ")", e);
    }
    if (!cache.tokenizersOnClassPath()) {
      return; // loading a tokenizer reports DJL's own error
    }
    try {
      LibUtils.checkStatus();
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("DJL's tokenizers library did not load (a tokenizer will say why): {}", e);
    }
  }
}
