package ai.llep.runtime;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** The store's state: keys to values, with blocking reads. Thread-safe. */
final class KeyValueTable {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<String, byte[]> values = new HashMap<>();
  private boolean closed;

  void set(String key, byte[] value) {
    lock.lock();
    try {
      checkOpen();
      values.put(key, value.clone());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** The value, or null if {@code key} is still absent at {@code deadlineNanos}. */
  byte[] get(String key, long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        checkOpen();
        byte[] value = values.get(key);
        if (value != null) {
          return value.clone();
        }
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        changed.await(left, TimeUnit.NANOSECONDS);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Null once all keys are present, else the first key still absent at {@code deadlineNanos}. */
  String awaitAll(List<String> keys, long deadlineNanos) throws InterruptedException {
    for (String key : keys) {
      if (get(key, deadlineNanos) == null) {
        return key;
      }
    }
    return null;
  }

  long add(String key, long delta) {
    lock.lock();
    try {
      checkOpen();
      byte[] old = values.get(key);
      long next = Math.addExact(old == null ? 0 : parseCounter(key, old), delta);
      values.put(key, Long.toString(next).getBytes(StandardCharsets.US_ASCII));
      changed.signalAll();
      return next;
    } finally {
      lock.unlock();
    }
  }

  void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the rendezvous store is closed");
    }
  }

  private static long parseCounter(String key, byte[] value) {
    String text = new String(value, StandardCharsets.US_ASCII);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "key '" + key + "' holds a value that is not a counter, cannot add to it");
    }
  }
}
