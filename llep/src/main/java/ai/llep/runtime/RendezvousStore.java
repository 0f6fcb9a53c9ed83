package ai.llep.runtime;

import java.time.Duration;
import java.util.List;

/**
 * A small key-value store that every rank of a job reaches, used to exchange addresses and ids at
 * start-up (the TCP mesh's listening ports, NCCL's unique id). Failures and timeouts throw {@link
 * ai.llep.comm.CommException} naming the key and the store's address.
 */
public interface RendezvousStore extends AutoCloseable {

  /** Stores {@code value} under {@code key}, replacing any previous value. */
  void set(String key, byte[] value);

  /** The value of {@code key}, waiting up to {@code timeout} for some rank to set it. */
  byte[] get(String key, Duration timeout);

  /** Waits up to {@code timeout} until every key in {@code keys} is set. */
  void waitFor(List<String> keys, Duration timeout);

  /**
   * Adds {@code delta} to the counter at {@code key} (absent counts as 0) and returns the new
   * value. Counters are stored as decimal ASCII, so {@link #get} reads them too.
   */
  long add(String key, long delta);

  /** Disconnects; on rank 0 also stops the store, so call it after the last rank is done. */
  @Override
  void close();
}
