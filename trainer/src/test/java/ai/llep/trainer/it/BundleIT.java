package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/bundle.sh: the bundle's own runtime and jars load a Hugging Face tokenizer.json (on CPU:
 * the tokenizer needs no libtorch).
 */
class BundleIT {
  @Test
  void theBundlesJarsLoadAHuggingFaceTokenizer(@TempDir Path tmp) throws Exception {
    Path root = Launch.projectRoot();
    Path output = tmp.resolve("bundle");
    Run bundle =
        run(
            List.of(
                root.resolve("scripts/bundle.sh").toString(),
                "--skip-build",
                "--no-archive",
                "--output",
                output.toString()),
            tmp,
            300,
            Map.of());
    assertEquals(0, bundle.exitCode(), bundle.output());
    Path llep = output.resolve("llep");
    Path tokenizersJar;
    try (Stream<Path> jars = Files.list(llep.resolve("lib"))) {
      tokenizersJar =
          jars.filter(p -> p.getFileName().toString().startsWith("tokenizers-"))
              .findFirst()
              .orElse(null);
    }
    assertNotNull(tokenizersJar, "no tokenizers jar in the bundle");
    try (JarFile jar = new JarFile(tokenizersJar.toFile())) {
      assertNotNull(jar.getEntry("native/lib/tokenizers.properties"), "properties file dropped");
    }

    Path fixture = Path.of("src/test/resources/tokenizers/word-level").toAbsolutePath();
    Path testClasses =
        Path.of(TokenizerProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    Files.createDirectories(tmp.resolve("djl-cache"));
    Run probe =
        run(
            List.of(
                llep.resolve("runtime/bin/java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Dai.djl.offline=true",
                "-cp",
                llep.resolve("lib") + "/*:" + testClasses,
                TokenizerProbe.class.getName(),
                fixture.toString(),
                "hello world from the bundle !"),
            tmp,
            120,
            Map.of("DJL_CACHE_DIR", tmp.resolve("djl-cache").toString()));
    assertEquals(0, probe.exitCode(), probe.output());
    assertTrue(probe.output().lines().anyMatch(l -> l.equals("ids=1,2,3,4,5,0")), probe.output());
  }

  record Run(int exitCode, String output) {}

  static Run run(List<String> command, Path dir, int seconds, Map<String, String> env)
      throws IOException, InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
    builder.directory(dir.toFile());
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("ENGINE_CACHE_DIR");
    builder.environment().putAll(env);
    Path log = dir.resolve("process-" + System.nanoTime() + ".log");
    builder.redirectOutput(log.toFile());
    Process process = builder.start();
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      return new Run(-1, "timed out after " + seconds + " s:\n" + Files.readString(log));
    }
    return new Run(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }
}
