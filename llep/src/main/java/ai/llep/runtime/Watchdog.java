package ai.llep.runtime;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Bounds a blocking socket call by closing the socket when a deadline passes. Blocking {@code
 * SocketChannel} reads and writes honour no timeout, and closing the channel is the one way to wake
 * them; the connection is then unusable, which is what a timeout means here anyway.
 */
final class Watchdog {
  private static final ScheduledThreadPoolExecutor TIMER = newTimer();

  private Watchdog() {}

  /** Arms a timer that closes {@code target} after {@code timeout}; a null timeout never fires. */
  static Guard arm(Closeable target, Duration timeout) {
    if (timeout == null) {
      return new Guard(null, new AtomicBoolean());
    }
    AtomicBoolean fired = new AtomicBoolean();
    ScheduledFuture<?> task =
        TIMER.schedule(
            () -> {
              fired.set(true);
              try {
                target.close();
              } catch (IOException ignored) {
                // The socket is being abandoned; a failing close changes nothing.
              }
            },
            Math.max(1, timeout.toNanos()),
            TimeUnit.NANOSECONDS);
    return new Guard(task, fired);
  }

  /** One armed deadline; closing it disarms the timer. */
  record Guard(ScheduledFuture<?> task, AtomicBoolean firedFlag) implements AutoCloseable {
    boolean fired() {
      return firedFlag.get();
    }

    @Override
    public void close() {
      if (task != null) {
        task.cancel(false);
      }
    }
  }

  private static ScheduledThreadPoolExecutor newTimer() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "llep-socket-watchdog");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }
}
