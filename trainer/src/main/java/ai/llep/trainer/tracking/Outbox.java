package ai.llep.trainer.tracking;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The bounded buffer between the training thread, which adds records and never waits, and the
 * sending thread, which takes them in batches. A batch stays at the head until it is sent or given
 * up, so a failed send is retried with the same records in the same order.
 */
final class Outbox {
  // MLflow's limits for one runs/log-batch request (mlflow/utils/validation.py).
  static final int MAX_METRICS_PER_BATCH = 1000;
  static final int MAX_PARAMS_TAGS_PER_BATCH = 100;
  static final int MAX_ENTITIES_PER_BATCH = 1000;
  // Well under the 1 MB request limit, counting characters of keys and values.
  static final int MAX_BATCH_CHARS = 500_000;

  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private final int capacity;
  private final long maxArtifactBytes;
  private long artifactBytes;
  private DroppedRecords dropped = DroppedRecords.NONE;
  private boolean wakeUp;

  Outbox(int capacity, long maxArtifactBytes) {
    this.capacity = capacity;
    this.maxArtifactBytes = maxArtifactBytes;
  }

  /**
   * Adds a record unless the buffer is full (the run's final status always fits). Returns whether
   * it was added; a record not added counts as dropped.
   */
  synchronized boolean offer(Pending record) {
    boolean fits =
        switch (record) {
          case Pending.Finish f -> true;
          case Pending.Artifact a -> artifactBytes + a.content().length <= maxArtifactBytes;
          default -> queue.size() < capacity;
        };
    if (!fits) {
      dropped = dropped.plus(record);
      return false;
    }
    if (record instanceof Pending.Artifact a) {
      artifactBytes += a.content().length;
    }
    queue.addLast(record);
    notifyAll();
    return true;
  }

  /**
   * The records at the head that go in one request, waiting up to {@code timeoutNanos} for one to
   * arrive; empty if none did. An artifact or the final status goes alone; metrics, params and tags
   * go together within MLflow's batch limits.
   */
  synchronized List<Pending> nextBatch(long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    while (queue.isEmpty() && !wakeUp) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return List.of();
      }
      wait(Math.max(1, left / 1_000_000));
    }
    wakeUp = false;
    Pending first = queue.peekFirst();
    if (first == null) {
      return List.of();
    }
    if (first instanceof Pending.Artifact || first instanceof Pending.Finish) {
      return List.of(first);
    }
    return logBatch();
  }

  private List<Pending> logBatch() {
    List<Pending> batch = new ArrayList<>();
    Set<String> paramKeys = new HashSet<>();
    int metrics = 0;
    int paramsAndTags = 0;
    int chars = 0;
    for (Pending record : queue) {
      int size;
      switch (record) {
        case Pending.Metric m -> {
          if (metrics == MAX_METRICS_PER_BATCH) {
            return batch;
          }
          metrics++;
          size = m.key().length() + 64;
        }
        case Pending.Param p -> {
          // MLflow rejects a batch that repeats a parameter key.
          if (paramsAndTags == MAX_PARAMS_TAGS_PER_BATCH || !paramKeys.add(p.key())) {
            return batch;
          }
          paramsAndTags++;
          size = p.key().length() + p.value().length() + 32;
        }
        case Pending.Tag t -> {
          if (paramsAndTags == MAX_PARAMS_TAGS_PER_BATCH) {
            return batch;
          }
          paramsAndTags++;
          size = t.key().length() + t.value().length() + 32;
        }
        default -> {
          return batch;
        }
      }
      if (batch.size() == MAX_ENTITIES_PER_BATCH
          || (chars + size > MAX_BATCH_CHARS && !batch.isEmpty())) {
        return batch;
      }
      chars += size;
      batch.add(record);
    }
    return batch;
  }

  /** Removes a batch that {@link #nextBatch} returned, once it was sent or given up. */
  synchronized void remove(List<Pending> batch) {
    for (int i = 0; i < batch.size(); i++) {
      Pending record = queue.removeFirst();
      if (record instanceof Pending.Artifact a) {
        artifactBytes -= a.content().length;
      }
    }
    notifyAll();
  }

  /** Counts a record that never entered the buffer as dropped. */
  synchronized void drop(Pending record) {
    dropped = dropped.plus(record);
  }

  /** Removes a batch that the server rejected, counting it as dropped. */
  synchronized void reject(List<Pending> batch) {
    batch.forEach(record -> dropped = dropped.plus(record));
    remove(batch);
  }

  /** Makes a waiting {@link #nextBatch} or {@link #pause} return now. */
  synchronized void wake() {
    wakeUp = true;
    notifyAll();
  }

  /** Waits up to {@code nanos} or until {@link #wake()}. */
  synchronized void pause(long nanos) throws InterruptedException {
    long deadline = System.nanoTime() + nanos;
    while (!wakeUp) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return;
      }
      wait(Math.max(1, left / 1_000_000));
    }
  }

  synchronized boolean isEmpty() {
    return queue.isEmpty();
  }

  /** Counts everything still buffered as dropped and empties the buffer. */
  synchronized void dropAll() {
    for (Iterator<Pending> it = queue.iterator(); it.hasNext(); ) {
      dropped = dropped.plus(it.next());
      it.remove();
    }
    artifactBytes = 0;
    notifyAll();
  }

  synchronized DroppedRecords dropped() {
    return dropped;
  }
}
