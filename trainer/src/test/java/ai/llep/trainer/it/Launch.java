package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs {@code scripts/launch.sh} as a user would, with a time limit, and keeps its output. */
final class Launch {
  /** Exit code, combined output and wall time of one launch. */
  record Outcome(int exitCode, String output, Duration elapsed) {
    boolean hasLine(String line) {
      return output.lines().anyMatch(l -> l.endsWith(line));
    }
  }

  private static final AtomicInteger LOG_DIRS = new AtomicInteger();

  private Launch() {}

  static Path projectRoot() {
    String home = System.getenv("LLEP_HOME");
    Path root = home != null ? Path.of(home) : Path.of("").toAbsolutePath().getParent();
    if (!Files.isExecutable(root.resolve("scripts/launch.sh"))) {
      fail("scripts/launch.sh not found under " + root + " (set LLEP_HOME)");
    }
    return root;
  }

  static Outcome run(int ranks, Duration limit, String... command) {
    return run(null, ranks, limit, command);
  }

  /**
   * Runs the launcher with {@code workDir} as the current folder (null: this JVM's); the ranks' log
   * goes to a fresh folder under this module's {@code target/launch-logs/}.
   */
  static Outcome run(Path workDir, int ranks, Duration limit, String... command) {
    List<String> args = new ArrayList<>();
    args.add("--nproc-per-node");
    args.add(Integer.toString(ranks));
    args.add("--log-dir");
    args.add(freshLogDir().toString());
    args.addAll(List.of(command));
    return launch(workDir, Map.of(), limit, args);
  }

  /**
   * Runs {@code scripts/launch.sh} with exactly {@code args}, in {@code workDir} (null: this JVM's
   * folder), with this JVM's Java as JAVA_HOME and {@code env} on top (a null value removes that
   * variable).
   */
  static Outcome launch(Path workDir, Map<String, String> env, Duration limit, List<String> args) {
    List<String> commandLine = new ArrayList<>();
    commandLine.add(projectRoot().resolve("scripts/launch.sh").toString());
    commandLine.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(commandLine).redirectErrorStream(true);
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().put("LLEP_STOP_GRACE_SECONDS", "5");
    env.forEach(
        (name, value) -> {
          if (value == null) {
            builder.environment().remove(name);
          } else {
            builder.environment().put(name, value);
          }
        });
    long start = System.nanoTime();
    try {
      Process process = builder.start();
      CompletableFuture<String> output =
          CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        fail(
            "launch "
                + String.join(" ", args)
                + " did not finish within "
                + limit
                + "; output so far:\n"
                + output.getNow("(unavailable)"));
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      return new Outcome(process.exitValue(), output.get(30, TimeUnit.SECONDS), elapsed);
    } catch (IOException
        | InterruptedException
        | java.util.concurrent.ExecutionException
        | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("could not run the launcher: " + e, e);
    }
  }

  /** A new folder name under {@code target/launch-logs/} (the launcher creates it). */
  static Path freshLogDir() {
    return Path.of(
            "target", "launch-logs", "run-" + LOG_DIRS.incrementAndGet() + "-" + System.nanoTime())
        .toAbsolutePath();
  }

  private static String readAll(InputStream in) {
    try {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }
}
