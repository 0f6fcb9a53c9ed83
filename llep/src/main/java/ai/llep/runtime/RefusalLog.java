package ai.llep.runtime;

import java.time.Duration;
import org.slf4j.Logger;

/**
 * Logs refused unauthenticated connections without letting a flood of them fill the log. The first
 * refusal after a quiet spell is logged in full at WARN (a misconfigured rank shows up at once);
 * later ones are counted and summed up in one WARN line per interval, naming the last one. Every
 * refusal is also logged at DEBUG.
 */
final class RefusalLog implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(10);

  private final Logger log;
  private final String purpose;
  private final Duration interval;
  private Thread summarizer;
  private long unreported;
  private String lastRemote;
  private String lastReason;
  private boolean closed;

  RefusalLog(Logger log, String purpose, Duration interval) {
    this.log = log;
    this.purpose = purpose;
    this.interval = interval;
  }

  synchronized void refused(String remote, String reason) {
    log.debug("refused connection from {} to {}: {}", remote, purpose, reason);
    if (closed) {
      return;
    }
    if (summarizer == null || interval.isZero()) {
      log.warn("refused connection from {} to {}: {}", remote, purpose, reason);
      if (!interval.isZero()) {
        summarizer = Thread.ofVirtual().name("llep-refusals-" + purpose).start(this::summarize);
      }
      return;
    }
    unreported++;
    lastRemote = remote;
    lastReason = reason;
  }

  /** Sums up each interval's refusals until an interval passes without one. */
  private void summarize() {
    while (true) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return; // close() reports what is left
      }
      synchronized (this) {
        if (closed || unreported == 0) {
          summarizer = null;
          return;
        }
        report();
      }
    }
  }

  private void report() {
    log.warn(
        "refused {} more unauthenticated connection{} to {} in the last {} (last from {}: {})",
        unreported,
        unreported == 1 ? "" : "s",
        purpose,
        Durations.format(interval),
        lastRemote,
        lastReason);
    unreported = 0;
  }

  /** Reports the refusals not yet summed up and stops counting. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (summarizer != null) {
      summarizer.interrupt();
      summarizer = null;
    }
    if (unreported > 0) {
      report();
    }
  }
}
