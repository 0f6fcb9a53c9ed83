package ai.llep.runtime;

import ai.llep.comm.CommException;
import java.time.Duration;
import java.util.List;

/** The store of a single-process world: the same table, no sockets. */
final class LocalStore implements RendezvousStore {
  private final KeyValueTable table = new KeyValueTable();

  @Override
  public void set(String key, byte[] value) {
    table.set(key, value);
  }

  @Override
  public byte[] get(String key, Duration timeout) {
    byte[] value = await(() -> table.get(key, deadline(timeout)));
    if (value == null) {
      throw timedOut(timeout, key);
    }
    return value;
  }

  @Override
  public void waitFor(List<String> keys, Duration timeout) {
    String missing = await(() -> table.awaitAll(keys, deadline(timeout)));
    if (missing != null) {
      throw timedOut(timeout, missing);
    }
  }

  @Override
  public long add(String key, long delta) {
    return table.add(key, delta);
  }

  @Override
  public void close() {
    table.close();
  }

  private interface Wait<T> {
    T run() throws InterruptedException;
  }

  private static <T> T await(Wait<T> wait) {
    try {
      return wait.run();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommException("interrupted while waiting on the local rendezvous store", e);
    }
  }

  private static long deadline(Duration timeout) {
    return System.nanoTime() + timeout.toNanos();
  }

  private static CommException timedOut(Duration timeout, String key) {
    return new CommException(
        "timed out after "
            + Durations.format(timeout)
            + " waiting for key '"
            + key
            + "' in the local rendezvous store");
  }
}
