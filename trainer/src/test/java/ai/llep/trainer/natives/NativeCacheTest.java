package ai.llep.trainer.natives;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What NativeCache expects of DJL's cache for the jars on this class path (DJL's CPU libtorch, its
 * JNI and the tokenizers library), and what it removes. Files are sparse: no library is unpacked.
 */
class NativeCacheTest {
  @Test
  void anEmptyCacheMissesLibtorchItsJniAndTheTokenizersLibrary(@TempDir Path root) {
    NativeCache cache = NativeCache.forClassPath(root);
    List<String> missing = cache.missing();
    assertTrue(
        missing.stream()
            .anyMatch(m -> m.matches("pytorch/[^/]+-cpu-linux-x86_64/libtorch_cpu\\.so")),
        missing.toString());
    assertTrue(
        missing.stream()
            .anyMatch(m -> m.matches("pytorch/[^/]+/\\d+\\.\\d+\\.\\d+-libdjl_torch\\.so")),
        missing.toString());
    assertTrue(
        missing.stream()
            .anyMatch(m -> m.startsWith("tokenizers/") && m.endsWith("/libtokenizers.so")),
        missing.toString());
    assertTrue(cache.tokenizersOnClassPath());
    assertTrue(cache.expected().stream().allMatch(e -> e.size() > 0), cache.expected().toString());
  }

  @Test
  void aWrongSizedFileIsMissingAndRepairRemovesItsFolderOrItself(@TempDir Path root)
      throws IOException {
    NativeCache cache = NativeCache.forClassPath(root);
    for (NativeCache.Expected e : cache.expected()) {
      sparse(e.file(), e.size());
    }
    assertEquals(List.of(), cache.missing());

    NativeCache.Expected torchCpu = find(cache, "libtorch_cpu.so");
    NativeCache.Expected jni = find(cache, "-libdjl_torch.so");
    sparse(torchCpu.file(), torchCpu.size() / 2);
    sparse(jni.file(), 10);
    assertEquals(2, cache.missing().size(), cache.missing().toString());
    cache.repair();
    assertFalse(Files.exists(torchCpu.unit()), "the libtorch folder is unpacked in one piece");
    assertFalse(Files.exists(jni.file()));
    NativeCache.Expected tokenizers = find(cache, "libtokenizers.so");
    assertTrue(Files.exists(tokenizers.file()), "a complete tokenizers folder stays");
  }

  @Test
  void onlyStaleLeftoversOfCrashedExtractionsAreRemoved(@TempDir Path root) throws IOException {
    Path old = Files.createDirectories(root.resolve("pytorch/tmp123456789"));
    Path oldJni = Files.createDirectories(root.resolve("pytorch/2.7.1-cpu-linux-x86_64"));
    oldJni = Files.write(oldJni.resolve("jni987654321tmp"), new byte[8]);
    Path young = Files.createDirectories(root.resolve("tokenizers/tmp555"));
    Path notLeftover = Files.createDirectories(root.resolve("pytorch/tmpdir"));
    FileTime stale =
        FileTime.from(Instant.now().minus(NativeCache.STALE_AFTER).minus(Duration.ofMinutes(1)));
    for (Path p : List.of(old, oldJni, notLeftover)) {
      Files.setLastModifiedTime(p, stale);
    }
    NativeCache cache = NativeCache.forClassPath(root);
    assertEquals(
        List.of(old, oldJni).stream().sorted().toList(),
        cache.staleLeftovers().stream().sorted().toList());
    cache.repair();
    assertFalse(Files.exists(old));
    assertFalse(Files.exists(oldJni));
    assertTrue(Files.exists(young), "a young one may be another program's extraction in progress");
    assertTrue(Files.exists(notLeftover));
  }

  private static NativeCache.Expected find(NativeCache cache, String suffix) {
    return cache.expected().stream()
        .filter(e -> e.file().toString().endsWith(suffix))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + suffix + " in " + cache.expected()));
  }

  private static void sparse(Path file, long size) throws IOException {
    Files.createDirectories(file.getParent());
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
  }
}
