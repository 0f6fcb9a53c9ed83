package ai.llep.trainer.cli;

import ai.llep.trainer.train.StopRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import sun.misc.Signal;

/**
 * SIGINT and SIGTERM as a request to stop training. This is the only class that uses {@code
 * sun.misc.Signal} (module jdk.unsupported): Java has no other way to act on a signal without
 * exiting, and a shutdown hook runs while the JVM is already exiting, racing the training thread,
 * so it cannot finish a step or save a checkpoint.
 *
 * <p>Before {@link #arm()} a signal exits at once with 128 + its number, as the JVM would (nothing
 * is lost before training starts). After it, the first signal is recorded for the training loop; a
 * second one exits at once. A signal the process inherited as ignored stays ignored (a
 * non-interactive shell starts its background jobs with SIGINT ignored: the launcher forwards
 * SIGTERM instead).
 *
 * <p>{@link #expect} publishes how long a stop may take, for the launcher: comm.timeout (the most a
 * collective waits for a peer) plus twice the longest step and checkpoint save so far plus a
 * minute, in seconds, in the file {@value #BUDGET_FILE} of the folder {@value #LAUNCH_DIR_ENV}
 * names. Local rank 0 writes it.
 */
final class StopSignals implements StopRequest {
  static final String LAUNCH_DIR_ENV = "LLEP_LAUNCH_DIR";
  static final String BUDGET_FILE = "stop-budget-seconds";
  static final long SAME_REQUEST_MILLIS = 1000;
  private static final Duration MARGIN = Duration.ofMinutes(1);
  private static final Logger LOG = LogManager.getLogger(StopSignals.class);

  private final int rank;
  private final Duration commTimeout;
  private final Optional<Path> budgetFile;
  private volatile int signal;
  private long firstAt;
  private volatile boolean armed;
  private long published = -1;

  private StopSignals(int rank, Duration commTimeout, Optional<Path> budgetFile) {
    this.rank = rank;
    this.commTimeout = commTimeout;
    this.budgetFile = budgetFile;
  }

  /** Installs the handlers for this process. */
  static StopSignals install(int rank, int localRank, Duration commTimeout) {
    Optional<Path> file =
        Optional.ofNullable(System.getenv(LAUNCH_DIR_ENV))
            .filter(dir -> localRank == 0 && !dir.isBlank())
            .map(dir -> Path.of(dir).resolve(BUDGET_FILE));
    StopSignals signals = new StopSignals(rank, commTimeout, file);
    for (String name : new String[] {"INT", "TERM"}) {
      try {
        Signal.handle(new Signal(name), signals::handle);
      } catch (IllegalArgumentException e) {
        LOG.warn("SIG{} cannot be handled ({}); it ends the process at once", name, e.getMessage());
      }
    }
    return signals;
  }

  private synchronized void handle(Signal received) {
    String name = "SIG" + received.getName();
    if (!armed) {
      System.err.println("rank " + rank + ": " + name + " before training started; exiting");
      exit(received);
    }
    if (signal != 0) {
      if ((System.nanoTime() - firstAt) / 1_000_000 < SAME_REQUEST_MILLIS) {
        return;
      }
      System.err.println("rank " + rank + ": " + name + " again; exiting without a checkpoint");
      exit(received);
    }
    signal = received.getNumber();
    firstAt = System.nanoTime();
    System.err.println(
        "rank "
            + rank
            + ": "
            + name
            + "; stopping after the current step with a checkpoint ("
            + name
            + " again exits at once)");
    System.err.flush();
  }

  private static void exit(Signal received) {
    System.err.flush();
    System.exit(128 + received.getNumber());
  }

  /** The exit code of a process stopped on request: 128 + the signal, SIGTERM's if it got none. */
  int exitCode() {
    return 128 + (signal != 0 ? signal : 15);
  }

  @Override
  public boolean requested() {
    return signal != 0;
  }

  @Override
  public synchronized void arm() {
    armed = true;
    expect(Duration.ZERO, Duration.ZERO);
  }

  @Override
  public void expect(Duration longestStep, Duration longestSave) {
    if (budgetFile.isEmpty()) {
      return;
    }
    long seconds =
        commTimeout
            .plus(MARGIN)
            .plus(longestStep.multipliedBy(2))
            .plus(longestSave.multipliedBy(2))
            .toSeconds();
    if (seconds == published) {
      return;
    }
    published = seconds;
    Path file = budgetFile.get();
    Path temp = file.resolveSibling(BUDGET_FILE + ".tmp");
    try {
      Files.writeString(temp, seconds + "\n", StandardCharsets.UTF_8);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      LOG.debug("cannot publish the stop budget in {}: {}", file, e.toString());
    }
  }
}
