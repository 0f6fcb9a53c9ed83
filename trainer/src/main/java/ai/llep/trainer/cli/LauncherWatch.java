package ai.llep.trainer.cli;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Ends this rank when the launcher that started it is gone. {@code scripts/launch.sh} exports its
 * process id in {@value #ENV_VAR}; a launcher killed with SIGKILL cannot stop its ranks, which
 * would otherwise run on alone (and keep training) until they finish. Under torchrun or Slurm the
 * variable is absent and nothing is watched: those launchers stop their tasks themselves.
 */
final class LauncherWatch {
  static final String ENV_VAR = "LLEP_LAUNCHER_PID";

  /** How often the launcher is checked: a rank outlives it by about this much. */
  static final Duration POLL = Duration.ofMillis(500);

  /** Exit code of a rank whose launcher is gone (nobody reads it, but a parent may). */
  static final int LAUNCHER_GONE = 4;

  /** How long the JVM's shutdown may take before the rank halts outright. */
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(3);

  private LauncherWatch() {}

  /**
   * The launcher named by {@value #ENV_VAR}, or empty when the variable is absent.
   *
   * @throws IllegalArgumentException when it holds no process id
   */
  static Optional<Long> launcherPid(Map<String, String> env) {
    String raw = env.get(ENV_VAR);
    if (raw == null || raw.isBlank()) {
      return Optional.empty();
    }
    try {
      long pid = Long.parseLong(raw.strip());
      if (pid > 0) {
        return Optional.of(pid);
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(
        ENV_VAR + "='" + raw + "' is not a process id (scripts/launch.sh sets it to its own)");
  }

  /**
   * Checks every {@link #POLL} that process {@code pid} is alive (its start time included, so a
   * reused id does not count) and runs {@code onGone} once it is not, on a daemon thread.
   */
  static void watch(long pid, Runnable onGone) {
    Optional<ProcessHandle> launcher = ProcessHandle.of(pid);
    Thread.ofPlatform()
        .daemon()
        .name("llep-launcher-watch")
        .start(
            () -> {
              while (launcher.isPresent() && launcher.get().isAlive()) {
                try {
                  Thread.sleep(POLL);
                } catch (InterruptedException e) {
                  return;
                }
              }
              onGone.run();
            });
  }

  /** Watches the launcher named in {@code env}, if any; when it is gone, this rank exits. */
  static void start(Map<String, String> env) {
    Optional<Long> pid = launcherPid(env);
    if (pid.isEmpty()) {
      return;
    }
    String rank = env.getOrDefault("RANK", "?");
    watch(
        pid.get(),
        () -> {
          System.err.println(
              "error: the launcher (pid "
                  + pid.get()
                  + ") is gone, so rank "
                  + rank
                  + " stops rather than run on alone");
          System.err.flush();
          Thread.ofPlatform()
              .daemon()
              .start(
                  () -> {
                    sleep(SHUTDOWN_GRACE);
                    Runtime.getRuntime().halt(LAUNCHER_GONE);
                  });
          System.exit(LAUNCHER_GONE);
        });
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
