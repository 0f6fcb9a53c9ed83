package ai.llep.runtime;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Frame reading and writing over a blocking socket, with optional deadlines. One thread may read
 * while others write; writes are serialized.
 */
final class FramedSocket implements AutoCloseable {
  /** Heap buffers are written in slices so the JDK's temporary direct copy stays small. */
  private static final int HEAP_WRITE_SLICE = 1 << 20;

  private final SocketChannel socket;
  private final String remote;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final ByteBuffer readHeader = ByteBuffer.allocate(Frame.HEADER_BYTES);

  FramedSocket(SocketChannel socket) throws IOException {
    this.socket = socket;
    SocketAddress address = socket.getRemoteAddress();
    this.remote = address == null ? "(unconnected)" : address.toString();
    socket.socket().setTcpNoDelay(true);
  }

  String remote() {
    return remote;
  }

  boolean isOpen() {
    return socket.isOpen();
  }

  void write(byte type, Duration timeout, ByteBuffer... parts) throws IOException {
    long total = 0;
    for (ByteBuffer part : parts) {
      total += part.remaining();
    }
    if (total > Integer.MAX_VALUE) {
      throw new IOException(
          "frame payload of " + total + " bytes exceeds the " + Integer.MAX_VALUE + "-byte limit");
    }
    ByteBuffer header = ByteBuffer.allocate(Frame.HEADER_BYTES);
    header.putInt(Frame.MAGIC).put(type).putInt((int) total).flip();
    writeLock.lock();
    try (Watchdog.Guard guard = Watchdog.arm(socket, timeout)) {
      try {
        writeFully(header);
        for (ByteBuffer part : parts) {
          writeFully(part.duplicate());
        }
      } catch (ClosedChannelException e) {
        throw guard.fired() ? timedOut("writing to", timeout, e) : e;
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** Reads one frame; {@code direct} payloads are native-ordered direct buffers. */
  Frame read(int maxPayload, Duration timeout, boolean direct) throws IOException {
    try (Watchdog.Guard guard = Watchdog.arm(socket, timeout)) {
      try {
        readHeader.clear();
        readFully(readHeader);
        readHeader.flip();
        int magic = readHeader.getInt();
        if (magic != Frame.MAGIC) {
          throw new ProtocolException(
              String.format("bad frame magic 0x%08x (not an LLEP peer)", magic));
        }
        byte type = readHeader.get();
        int length = readHeader.getInt();
        if (length < 0 || length > maxPayload) {
          throw new ProtocolException(
              "frame length "
                  + Integer.toUnsignedString(length)
                  + " is over the bound of "
                  + maxPayload
                  + " bytes");
        }
        ByteBuffer payload =
            direct
                ? ByteBuffer.allocateDirect(length).order(ByteOrder.nativeOrder())
                : ByteBuffer.allocate(length);
        readFully(payload);
        return new Frame(type, payload.flip());
      } catch (ClosedChannelException e) {
        throw guard.fired() ? timedOut("reading from", timeout, e) : e;
      }
    }
  }

  private void readFully(ByteBuffer target) throws IOException {
    while (target.hasRemaining()) {
      if (socket.read(target) < 0) {
        throw new EOFException(remote + " closed the connection");
      }
    }
  }

  private void writeFully(ByteBuffer source) throws IOException {
    if (source.isDirect()) {
      while (source.hasRemaining()) {
        socket.write(source);
      }
      return;
    }
    while (source.hasRemaining()) {
      int n = Math.min(source.remaining(), HEAP_WRITE_SLICE);
      ByteBuffer slice = source.slice(source.position(), n);
      while (slice.hasRemaining()) {
        socket.write(slice);
      }
      source.position(source.position() + n);
    }
  }

  private SocketTimeoutException timedOut(String what, Duration timeout, Exception cause) {
    SocketTimeoutException e =
        new SocketTimeoutException(
            "timed out after " + Durations.format(timeout) + " " + what + " " + remote);
    e.initCause(cause);
    return e;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Nothing more can be done for a socket that fails to close.
    }
  }
}
