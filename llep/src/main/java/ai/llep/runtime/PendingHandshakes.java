package ai.llep.runtime;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.LinkedHashSet;

/**
 * The connections a listener has accepted that have not yet proven the job secret, oldest first,
 * bounded so that strangers cannot starve it. Admitting one past the bound drops the oldest that
 * has not sent its hello yet (a real peer sends it the moment it connects), else the oldest of all:
 * a real peer's handshake takes milliseconds, so only the newest connections can be real ones.
 */
final class PendingHandshakes {
  /** One connection in its handshake. Its state is written by its own thread, read by others. */
  static final class Entry {
    final SocketChannel raw;
    final String remote;
    private volatile boolean greeted;
    private volatile boolean dropped;

    private Entry(SocketChannel raw, String remote) {
      this.raw = raw;
      this.remote = remote;
    }

    /** Whether this connection was closed to make room for a newer one. */
    boolean dropped() {
      return dropped;
    }
  }

  private final int bound;
  private final LinkedHashSet<Entry> entries = new LinkedHashSet<>();

  PendingHandshakes(int bound) {
    if (bound < 1) {
      throw new IllegalArgumentException("the bound on pending handshakes must be >= 1: " + bound);
    }
    this.bound = bound;
  }

  int bound() {
    return bound;
  }

  /**
   * Registers a new connection. When that exceeds the bound, another one is closed to make room;
   * its handshake thread sees the closed channel and {@link Entry#dropped}, and reports it.
   */
  Entry admit(SocketChannel raw, String remote) {
    Entry admitted = new Entry(raw, remote);
    Entry victim = null;
    synchronized (this) {
      if (entries.size() >= bound) {
        victim = oldestToDrop();
        entries.remove(victim);
        victim.dropped = true;
      }
      entries.add(admitted);
    }
    if (victim != null) {
      close(victim.raw);
    }
    return admitted;
  }

  /** The connection sent a well-formed hello: it is dropped only after every silent one. */
  static void greeted(Entry entry) {
    entry.greeted = true;
  }

  /**
   * The connection proved the secret or is gone: it no longer counts against the bound. Returns
   * false when it had already been dropped.
   */
  synchronized boolean remove(Entry entry) {
    return entries.remove(entry);
  }

  synchronized int size() {
    return entries.size();
  }

  /** Closes every pending connection: the listener is going away. */
  void closeAll() {
    Entry[] all;
    synchronized (this) {
      all = entries.toArray(Entry[]::new);
      entries.clear();
    }
    for (Entry entry : all) {
      close(entry.raw);
    }
  }

  private Entry oldestToDrop() {
    Iterator<Entry> oldestFirst = entries.iterator();
    Entry oldest = oldestFirst.next();
    for (Entry entry = oldest; ; entry = oldestFirst.next()) {
      if (!entry.greeted) {
        return entry;
      }
      if (!oldestFirst.hasNext()) {
        return oldest;
      }
    }
  }

  private static void close(SocketChannel raw) {
    try {
      raw.close();
    } catch (IOException ignored) {
      // Dropping it anyway.
    }
  }
}
