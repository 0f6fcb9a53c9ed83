package ai.llep.trainer.it;

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
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ranks that start together on a machine whose DJL cache (libtorch and the tokenizers library) is
 * empty, or half-written by crashes: each run unpacks once, with the other ranks waiting, and every
 * rank loads.
 */
class NativeCacheIT {
  private static final String UNPACKING = "unpacking DJL's native libraries";

  @Test
  void ranksStartTogetherOnAnEmptyCacheThenOnAHalfWrittenOne(@TempDir Path tmp) throws IOException {
    Path cache = null;
    for (int run = 1; run <= 3; run++) {
      if (cache != null) {
        deleteTree(cache);
      }
      cache = Files.createDirectory(tmp.resolve("djl-cache-" + run));
      Launch.Outcome outcome = commCheck(cache);
      assertEquals(0, outcome.exitCode(), "run " + run + ":\n" + outcome.output());
      assertTrue(outcome.hasLine("comm-check PASS"), outcome.output());
      assertEquals(1, count(outcome.output(), UNPACKING), "one rank unpacks:\n" + outcome.output());
      assertTrue(Files.isRegularFile(torchFolder(cache).resolve("libtorch_cpu.so")));
      assertTrue(Files.isRegularFile(tokenizersLibrary(cache)), "the tokenizers library unpacked");
    }

    // What crashes leave: a libtorch folder whose deletion stopped after libtorch_cpu.so (DJL takes
    // a folder holding libtorch.so as complete), a tokenizers library cut short, and the temporary
    // folder and JNI file of extractions that never finished.
    Path torch = torchFolder(cache);
    long torchCpuSize = Files.size(torch.resolve("libtorch_cpu.so"));
    Files.delete(torch.resolve("libtorch_cpu.so"));
    Path tokenizers = tokenizersLibrary(cache);
    long tokenizersSize = Files.size(tokenizers);
    try (RandomAccessFile file = new RandomAccessFile(tokenizers.toFile(), "rw")) {
      file.setLength(tokenizersSize / 2);
    }
    Path tempFolder = Files.createDirectory(cache.resolve("pytorch/tmp4242424242"));
    Files.write(tempFolder.resolve("libtorch_cpu.so"), new byte[4096]);
    Path tempJni = Files.write(torch.resolve("jni4242424242tmp"), new byte[4096]);
    FileTime hourAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
    for (Path p : List.of(tempFolder.resolve("libtorch_cpu.so"), tempFolder, tempJni)) {
      Files.setLastModifiedTime(p, hourAgo);
    }

    Launch.Outcome outcome = commCheck(cache);
    assertEquals(0, outcome.exitCode(), "half-written cache:\n" + outcome.output());
    assertTrue(outcome.hasLine("comm-check PASS"), outcome.output());
    assertEquals(1, count(outcome.output(), UNPACKING), outcome.output());
    assertEquals(torchCpuSize, Files.size(torch.resolve("libtorch_cpu.so")));
    assertEquals(tokenizersSize, Files.size(tokenizers));
    assertFalse(Files.exists(tempFolder), "stale temporary folder left");
    assertFalse(Files.exists(tempJni), "stale temporary JNI file left");
  }

  private static Launch.Outcome commCheck(Path cache) {
    Map<String, String> env = new HashMap<>();
    env.put("DJL_CACHE_DIR", cache.toString());
    env.put("ENGINE_CACHE_DIR", null);
    return Launch.launch(
        null,
        env,
        Duration.ofMinutes(3),
        List.of(
            "--nproc-per-node",
            "3",
            "--log-dir",
            Launch.freshLogDir().toString(),
            "comm-check",
            "comm-check.bandwidth-bytes=4096",
            "comm-check.shapes-per-dtype=1",
            "comm-check.iterations=1"));
  }

  private static Path torchFolder(Path cache) throws IOException {
    return onlyFolder(cache.resolve("pytorch"));
  }

  /** The library, one folder deeper on a GPU host (DJL adds the CUDA architecture). */
  private static Path tokenizersLibrary(Path cache) throws IOException {
    String name = System.mapLibraryName("tokenizers");
    try (Stream<Path> paths = Files.walk(cache.resolve("tokenizers"))) {
      List<Path> found = paths.filter(p -> p.getFileName().toString().equals(name)).toList();
      assertEquals(1, found.size(), "tokenizers libraries in " + cache + ": " + found);
      return found.getFirst();
    }
  }

  private static Path onlyFolder(Path dir) throws IOException {
    try (Stream<Path> children = Files.list(dir)) {
      List<Path> folders = children.filter(Files::isDirectory).toList();
      assertEquals(1, folders.size(), dir + " holds " + folders);
      return folders.getFirst();
    }
  }

  private static long count(String text, String needle) {
    return text.lines().filter(l -> l.contains(needle)).count();
  }

  private static void deleteTree(Path top) throws IOException {
    try (Stream<Path> paths = Files.walk(top)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
