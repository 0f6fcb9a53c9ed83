package ai.llep.trainer.tracking;

import ai.llep.trainer.tracking.MlflowBackend.SendFailure;
import java.util.List;
import java.util.function.Consumer;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * The sending thread of a {@link RestTracker}: takes batches from the {@link Outbox} and sends
 * them. While the server is unreachable it keeps the batch, pauses with exponential backoff and
 * retries; it warns once when an outage starts and tells when it ends. A batch the server rejects
 * (a client error) is dropped with a warning, since sending it again cannot succeed.
 */
final class SendLoop implements Runnable {
  private static final Logger LOG = LogManager.getLogger(SendLoop.class);
  private static final long IDLE_WAIT_NANOS = 200_000_000L;

  private final Outbox outbox;
  private final Consumer<List<Pending>> sender;
  private final String server;
  private final TrackingOptions options;
  private volatile boolean draining;
  private volatile boolean stopped;
  private boolean down;
  private int failures;

  SendLoop(Outbox outbox, Consumer<List<Pending>> sender, String server, TrackingOptions options) {
    this.outbox = outbox;
    this.sender = sender;
    this.server = server;
    this.options = options;
  }

  /** From now on, the loop ends once the buffer is empty. */
  void drain() {
    draining = true;
    outbox.wake();
  }

  /** Ends the loop after the current request, whatever is still buffered. */
  void stop() {
    stopped = true;
    outbox.wake();
  }

  @Override
  public void run() {
    long pauseNanos = options.retryInitial().toNanos();
    try {
      while (!stopped) {
        List<Pending> batch = outbox.nextBatch(IDLE_WAIT_NANOS);
        if (batch.isEmpty()) {
          if (draining && outbox.isEmpty()) {
            return;
          }
          continue;
        }
        try {
          sender.accept(batch);
          outbox.remove(batch);
          recovered();
          pauseNanos = options.retryInitial().toNanos();
        } catch (SendFailure e) {
          if (!e.retryable()) {
            LOG.warn(
                "MLflow server {} rejected {} records: {}", server, batch.size(), e.getMessage());
            outbox.reject(batch);
            continue;
          }
          failed(e, batch.size());
          outbox.pause(pauseNanos);
          pauseNanos = Math.min(2 * pauseNanos, options.retryMax().toNanos());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void failed(SendFailure e, int records) {
    failures++;
    if (!down) {
      down = true;
      LOG.warn(
          "MLflow server {} unreachable ({}); keeping up to {} records and retrying in the"
              + " background, training goes on",
          server,
          e.getMessage(),
          options.bufferCapacity());
    } else {
      LOG.debug("MLflow server {} still unreachable ({}), {} records waiting", server, e, records);
    }
  }

  private void recovered() {
    if (down) {
      LOG.info("MLflow server {} reachable again after {} failed attempts", server, failures);
      down = false;
      failures = 0;
    }
  }
}
