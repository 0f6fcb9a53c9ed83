package ai.llep.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An attacker without the secret that keeps a listener busy: from the moment {@code target} accepts
 * connections, it holds {@code idle} connections that never say a word and {@code garbage}
 * connections that send random bytes, and replaces each one the listener closes, until closed.
 */
public final class Flood implements AutoCloseable {
  private static final Duration RECONNECT_PAUSE = Duration.ofMillis(20);

  private final InetSocketAddress target;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicLong connections = new AtomicLong();
  private volatile boolean closed;

  private Flood(InetSocketAddress target) {
    this.target = target;
  }

  /** Starts flooding {@code target} as soon as it listens (it need not listen yet). */
  public static Flood start(InetSocketAddress target, int idle, int garbage) {
    Flood flood = new Flood(target);
    flood.threads.add(
        Thread.ofPlatform()
            .daemon()
            .name("flood-" + target.getPort())
            .start(() -> flood.run(idle, garbage)));
    return flood;
  }

  /** How many connections the listener accepted from this attacker so far. */
  public long connections() {
    return connections.get();
  }

  private void run(int idle, int garbage) {
    while (!closed && !listening()) {
      pause(Duration.ofMillis(2));
    }
    for (int i = 0; i < idle + garbage && !closed; i++) {
      byte[] words = i < idle ? new byte[0] : garbage(i);
      synchronized (threads) {
        threads.add(Thread.ofVirtual().name("flood").start(() -> hold(words)));
      }
    }
  }

  private boolean listening() {
    try (Socket probe = new Socket(target.getAddress(), target.getPort())) {
      connections.incrementAndGet();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Keeps one connection open, sending {@code words} first; reconnects when it is closed. */
  private void hold(byte[] words) {
    while (!closed) {
      try (Socket socket = new Socket(target.getAddress(), target.getPort())) {
        open.add(socket);
        connections.incrementAndGet();
        if (closed) {
          return;
        }
        socket.getOutputStream().write(words);
        InputStream in = socket.getInputStream();
        while (in.read() >= 0) {
          // Whatever the listener says, wait for it to hang up.
        }
      } catch (IOException e) {
        // Refused, reset or closed by close(): try again.
      } finally {
        open.removeIf(Socket::isClosed);
      }
      pause(RECONNECT_PAUSE);
    }
  }

  private static byte[] garbage(long seed) {
    byte[] bytes = new byte[64];
    new Random(seed).nextBytes(bytes);
    bytes[0] = 'X'; // never the frame magic by chance
    return bytes;
  }

  private static void pause(Duration duration) {
    try {
      Thread.sleep(duration);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // Going away anyway.
      }
    }
    List<Thread> all;
    synchronized (threads) {
      all = List.copyOf(threads);
    }
    try {
      for (Thread thread : all) {
        thread.join(Duration.ofSeconds(5));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
