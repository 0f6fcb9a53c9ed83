package ai.llep.runtime;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.util.LinkedHashSet;

/**
 * The connections a listener has accepted that have not yet proven the job secret, oldest first,
 * bounded so that strangers cannot starve it. At the bound, admitting one drops another:
 *
 * <ol>
 *   <li>the oldest whose handshake thread has read and found no hello (a real peer sends it the
 *       moment it connects);
 *   <li>else, while some have not been read yet, none: admission waits until their threads have
 *       looked, so a flood cannot push a real peer out before its hello is even read, and accept
 *       slows to the pace at which handshakes are served;
 *   <li>else the oldest that sent a hello: a real peer completes within two round trips of it, so
 *       only the newest ones can be real.
 * </ol>
 */
final class PendingHandshakes {
  /** One connection in its handshake. Its state is written by its own thread, read by others. */
  static final class Entry {
    final SocketChannel raw;
    final String remote;
    private volatile boolean started;
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
  private boolean closed;

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
   * Registers a new connection, making room at the bound as the class describes; the one dropped is
   * closed, and its handshake thread sees the closed channel and {@link Entry#dropped}. Returns
   * null, leaving {@code raw} to the caller, when this set was closed meanwhile.
   */
  Entry admit(SocketChannel raw, String remote) throws InterruptedException {
    Entry admitted = new Entry(raw, remote);
    Entry victim = null;
    synchronized (this) {
      while (!closed && entries.size() >= bound && (victim = victim()) == null) {
        wait();
      }
      if (closed) {
        return null;
      }
      if (victim != null) {
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

  /** The connection's handshake thread is about to read its hello: it may be dropped from now. */
  synchronized void started(Entry entry) {
    entry.started = true;
    notifyAll();
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
    notifyAll();
    return entries.remove(entry);
  }

  synchronized int size() {
    return entries.size();
  }

  /** Closes every pending connection and admits no more: the listener is going away. */
  void closeAll() {
    Entry[] all;
    synchronized (this) {
      closed = true;
      all = entries.toArray(Entry[]::new);
      entries.clear();
      notifyAll();
    }
    for (Entry entry : all) {
      close(entry.raw);
    }
  }

  /** The entry to drop for a new one, or null to wait for handshake threads to look first. */
  private Entry victim() {
    Entry oldestGreeted = null;
    boolean unread = false;
    for (Entry entry : entries) {
      if (!entry.started) {
        unread = true;
      } else if (!entry.greeted) {
        return entry;
      } else if (oldestGreeted == null) {
        oldestGreeted = entry;
      }
    }
    return unread ? null : oldestGreeted;
  }

  private static void close(SocketChannel raw) {
    try {
      raw.close();
    } catch (IOException ignored) {
      // Dropping it anyway.
    }
  }
}
