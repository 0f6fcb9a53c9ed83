package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs {@code scripts/launch.sh} as a user would, with a time limit, and keeps its output. */
final class Launch {
  private static final AtomicInteger LOG_DIRS = new AtomicInteger();

  /** Exit code, combined output and wall time of one launch. */
  record Outcome(int exitCode, String output, Duration elapsed) {
    boolean hasLine(String line) {
      return output.lines().anyMatch(l -> l.endsWith(line));
    }
  }

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

  /** Runs the launcher with {@code workDir} as the current folder (null: this JVM's). */
  static Outcome run(Path workDir, int ranks, Duration limit, String... command) {
    return start(workDir, ranks, command).await(limit);
  }

  /** A launcher started in the background, for tests that signal it while it runs. */
  static final class Running {
    private final Process process;
    private final String[] command;
    private final StringBuffer output = new StringBuffer();
    private final Thread reader;
    private final long start = System.nanoTime();

    private Running(Process process, String[] command) {
      this.process = process;
      this.command = command;
      this.reader = Thread.ofPlatform().daemon().start(this::read);
    }

    private void read() {
      try (BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = lines.readLine()) != null) {
          output.append(line).append('\n');
        }
      } catch (IOException e) {
        output.append("(output unreadable: ").append(e).append(")\n");
      }
    }

    /** Waits until a line of the output ends with {@code suffix}; fails after {@code limit}. */
    void awaitLine(String suffix, Duration limit) throws InterruptedException {
      long deadline = System.nanoTime() + limit.toNanos();
      while (output.toString().lines().noneMatch(l -> l.endsWith(suffix) || l.contains(suffix))) {
        if (System.nanoTime() > deadline || !process.isAlive()) {
          fail("no line with '" + suffix + "' within " + limit + "; output:\n" + output);
        }
        Thread.sleep(50);
      }
    }

    /** Sends {@code signal} (INT, TERM, ...) to the launcher process alone, as kill does. */
    void signal(String signal) throws IOException, InterruptedException {
      kill(signal, Long.toString(process.pid()));
    }

    /**
     * Sends {@code signal} to the launcher's whole process group, as a terminal's Ctrl-C does (the
     * launcher must have been started with {@link #startInOwnGroup}).
     */
    void signalGroup(String signal) throws IOException, InterruptedException {
      kill(signal, "-" + process.pid());
    }

    private static void kill(String signal, String target)
        throws IOException, InterruptedException {
      int code =
          new ProcessBuilder("kill", "-" + signal, "--", target).inheritIO().start().waitFor();
      if (code != 0) {
        fail("kill -" + signal + " -- " + target + " exited with " + code);
      }
    }

    Outcome await(Duration limit) {
      try {
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          fail(
              "launch "
                  + String.join(" ", command)
                  + " did not finish within "
                  + limit
                  + "; output so far:\n"
                  + output);
        }
        reader.join(Duration.ofSeconds(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for the launcher", e);
      }
      return new Outcome(
          process.exitValue(), output.toString(), Duration.ofNanos(System.nanoTime() - start));
    }
  }

  /** Starts the launcher in the background with {@code workDir} as the current folder. */
  static Running start(Path workDir, int ranks, String... command) {
    return start(false, workDir, ranks, command);
  }

  /**
   * Starts the launcher as the leader of a process group of its own (through setsid, which execs it
   * in place), as a shell runs a foreground job.
   */
  static Running startInOwnGroup(Path workDir, int ranks, String... command) {
    return start(true, workDir, ranks, command);
  }

  private static Running start(boolean ownGroup, Path workDir, int ranks, String... command) {
    ProcessBuilder builder = builder(workDir, ranks, command);
    if (ownGroup) {
      builder.command().addFirst("setsid");
    }
    return start(builder);
  }

  private static Running start(ProcessBuilder builder) {
    List<String> command = builder.command();
    int script = command.indexOf(projectRoot().resolve("scripts/launch.sh").toString());
    try {
      return new Running(
          builder.start(), command.subList(script + 1, command.size()).toArray(String[]::new));
    } catch (IOException e) {
      throw new IllegalStateException("could not run the launcher: " + e, e);
    }
  }

  /** Runs a launcher set up by {@link #builder} (then given more environment, say). */
  static Outcome run(ProcessBuilder builder, Duration limit) {
    return start(builder).await(limit);
  }

  /**
   * The launcher's command line and environment, output and errors merged; the ranks' log goes to a
   * fresh folder under this module's {@code target/launch-logs/}.
   */
  static ProcessBuilder builder(Path workDir, int ranks, String... command) {
    List<String> args = new ArrayList<>();
    args.add("--nproc-per-node");
    args.add(Integer.toString(ranks));
    args.add("--log-dir");
    args.add(freshLogDir().toString());
    args.addAll(List.of(command));
    return builder(workDir, Map.of(), args);
  }

  /**
   * {@code scripts/launch.sh} with exactly {@code args}, in {@code workDir} (null: this JVM's
   * folder), with this JVM's Java as JAVA_HOME and {@code env} on top (a null value removes that
   * variable).
   */
  static ProcessBuilder builder(Path workDir, Map<String, String> env, List<String> args) {
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
    return builder;
  }

  /**
   * Runs {@code scripts/launch.sh} with exactly {@code args} (see {@link #builder(Path, Map,
   * List)}).
   */
  static Outcome launch(Path workDir, Map<String, String> env, Duration limit, List<String> args) {
    return run(builder(workDir, env, args), limit);
  }

  /** A new folder name under {@code target/launch-logs/} (the launcher creates it). */
  static Path freshLogDir() {
    return Path.of(
            "target", "launch-logs", "run-" + LOG_DIRS.incrementAndGet() + "-" + System.nanoTime())
        .toAbsolutePath();
  }
}
