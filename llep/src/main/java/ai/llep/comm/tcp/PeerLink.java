package ai.llep.comm.tcp;

import ai.llep.comm.CommException;
import ai.llep.runtime.Frame;
import ai.llep.runtime.SecureChannel;
import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The connection to one peer. A dedicated reader thread drains the socket into an inbox, so a
 * rank's sends never wait for its own receives and two ranks sending to each other cannot deadlock.
 * A broken connection leaves a final {@link Failure} in the inbox, which every later receive
 * reports.
 */
final class PeerLink implements AutoCloseable {
  private static final int MAX_PAYLOAD = Integer.MAX_VALUE - 16;
  private static final long READER_GRACE_MILLIS = 1000;

  private final int peer;
  private final SecureChannel channel;
  private final BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
  private final Thread reader;
  private volatile boolean closing;
  private volatile Exception readFailure;

  private record Failure(Exception cause) {}

  PeerLink(int self, int peer, SecureChannel channel) {
    this.peer = peer;
    this.channel = channel;
    this.reader =
        Thread.ofPlatform()
            .daemon()
            .name("llep-tcp-rank" + self + "-from-rank" + peer)
            .start(this::readLoop);
  }

  int peer() {
    return peer;
  }

  private void readLoop() {
    try {
      while (true) {
        Frame frame = channel.receiveDirect(MAX_PAYLOAD);
        if (frame.type() != WireTensor.FRAME_TYPE) {
          throw new ProtocolException("unknown frame type " + frame.type());
        }
        inbox.add(WireTensor.decode(frame.payload()));
      }
    } catch (IOException | RuntimeException e) {
      readFailure = e;
      inbox.add(new Failure(e));
    }
  }

  void send(OpKind op, Duration timeout, ByteBuffer header, ByteBuffer data) {
    try {
      channel.send(WireTensor.FRAME_TYPE, timeout, header, data);
    } catch (SocketTimeoutException e) {
      throw new CommException(
          "timed out after "
              + TcpCommunicator.format(timeout)
              + " sending to rank "
              + peer
              + " in "
              + op,
          e);
    } catch (IOException e) {
      // A failed write usually means the peer went away; its reader says how (EOF or reset).
      awaitReader();
      throw lost(op, e);
    }
  }

  private void awaitReader() {
    try {
      reader.join(READER_GRACE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * The next message from this peer, or null if none arrives within {@code nanos}.
   *
   * @throws CommException if the connection broke before a next message
   */
  WireTensor poll(OpKind op, long nanos) {
    Object next;
    try {
      next = inbox.poll(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommException("interrupted while waiting for rank " + peer + " in " + op, e);
    }
    if (next instanceof Failure failure) {
      inbox.add(failure);
      throw lost(op, failure.cause());
    }
    return (WireTensor) next;
  }

  /** The error a receive would report if the connection broke with no message left, else null. */
  CommException brokenWithNothingQueued(OpKind op) {
    return inbox.peek() instanceof Failure failure ? lost(op, failure.cause()) : null;
  }

  private CommException lost(OpKind op, Exception cause) {
    Exception seen = readFailure != null ? readFailure : cause;
    if (closing) {
      return new CommException("the communicator was closed during " + op, cause);
    }
    if (peerClosed(seen) || peerClosed(cause)) {
      return new CommException("rank " + peer + " closed the connection during " + op, seen);
    }
    if (seen instanceof ProtocolException) {
      return new CommException(
          "rank " + peer + " sent a malformed frame before " + op + ": " + seen.getMessage(), seen);
    }
    return new CommException(
        "lost the connection to rank " + peer + " during " + op + ": " + seen, seen);
  }

  /** End of stream, or the reset / broken pipe a peer that exits with unread data leaves. */
  private static boolean peerClosed(Exception e) {
    if (e instanceof EOFException) {
      return true;
    }
    String message = e.getMessage();
    return e instanceof IOException
        && message != null
        && (message.contains("Connection reset") || message.contains("Broken pipe"));
  }

  @Override
  public void close() {
    closing = true;
    channel.close();
    try {
      reader.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
