package ai.llep.trainer.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A launcher started in the background, for tests that act on it while its ranks run. Its output
 * goes to a file, not a pipe: once the launcher has exited, the JDK stops reading its pipe, and
 * ranks that outlive it would write into nothing. Closing this kills the launcher and every rank it
 * was seen to start, even ranks that outlived it.
 */
final class RunningLaunch implements AutoCloseable {
  private final Process launcher;
  private final Path output;
  private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();

  private RunningLaunch(Process launcher, Path output) {
    this.launcher = launcher;
    this.output = output;
  }

  /** Starts the launcher with its output and errors written to {@code output}. */
  static RunningLaunch start(Path output, int ranks, String... command) {
    try {
      ProcessBuilder builder = Launch.builder(null, ranks, command).redirectOutput(output.toFile());
      return new RunningLaunch(builder.start(), output);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start the launcher", e);
    }
  }

  Process launcher() {
    return launcher;
  }

  String output() {
    try {
      return Files.readString(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(output unreadable: " + e + ")";
    }
  }

  /** Waits up to {@code limit} for the output so far to match; returns whether it did. */
  boolean awaitOutput(Predicate<String> match, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!match.test(output())) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(50);
    }
    return true;
  }

  /** The JVMs the launcher runs now: its ranks. */
  List<ProcessHandle> ranks() {
    List<ProcessHandle> ranks =
        launcher
            .descendants()
            .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
            .toList();
    seen.addAll(ranks);
    return ranks;
  }

  @Override
  public void close() {
    launcher.descendants().forEach(seen::add);
    launcher.destroyForcibly();
    seen.forEach(ProcessHandle::destroyForcibly);
  }
}
