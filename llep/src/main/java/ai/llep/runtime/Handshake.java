package ai.llep.runtime;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Mutual challenge-response authentication with HMAC-SHA256 over fresh random nonces.
 *
 * <pre>
 * client -> server  HELLO      version, purpose, identity, client nonce
 * server -> client  CHALLENGE  server nonce
 * client -> server  RESPONSE   HMAC(secret, "client" | transcript)
 * server -> client  ACCEPT     HMAC(secret, "server" | transcript), or REFUSE with a reason
 * </pre>
 *
 * The transcript is purpose, identity and both nonces, so a proof is bound to one connection and
 * one role; the secret itself never crosses the wire. The client proves itself first, so the server
 * computes no proof for a stranger, and logs a wrong secret as such.
 */
final class Handshake {
  static final byte HELLO = 1;
  static final byte CHALLENGE = 2;
  static final byte RESPONSE = 3;
  static final byte ACCEPT = 4;
  static final byte REFUSE = 5;

  /** Handshake frames are small; anything larger is not a peer. */
  static final int MAX_FRAME = 512;

  static final int MIN_SECRET_BYTES = 16;

  private static final byte VERSION = 1;
  private static final int NONCE_BYTES = 32;
  private static final int MAC_BYTES = 32;
  private static final int MAX_FIELD = 64;
  private static final byte[] SERVER_LABEL = "llep-v1 server".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLIENT_LABEL = "llep-v1 client".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  /** Authenticates both sides from the connecting end; returns normally once accepted. */
  static void client(
      FramedSocket socket, byte[] secret, String purpose, byte[] identity, Duration timeout)
      throws IOException {
    try {
      clientSteps(socket, secret, purpose, identity, timeout);
    } catch (SocketTimeoutException e) {
      throw timedOut(timeout, e);
    }
  }

  private static void clientSteps(
      FramedSocket socket, byte[] secret, String purpose, byte[] identity, Duration timeout)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] purposeBytes = purpose.getBytes(StandardCharsets.US_ASCII);
    checkField("purpose", purposeBytes);
    checkField("identity", identity);
    byte[] clientNonce = nonce();
    ByteBuffer hello =
        ByteBuffer.allocate(3 + purposeBytes.length + identity.length + NONCE_BYTES)
            .put(VERSION)
            .put((byte) purposeBytes.length)
            .put(purposeBytes)
            .put((byte) identity.length)
            .put(identity)
            .put(clientNonce)
            .flip();
    socket.write(HELLO, remaining(deadline), hello);
    byte[] serverNonce = take(expect(socket, CHALLENGE, deadline, NONCE_BYTES), NONCE_BYTES);
    byte[] transcript = transcript(purposeBytes, identity, clientNonce, serverNonce);
    socket.write(
        RESPONSE, remaining(deadline), ByteBuffer.wrap(mac(secret, CLIENT_LABEL, transcript)));
    byte[] serverProof = take(expect(socket, ACCEPT, deadline, MAC_BYTES), MAC_BYTES);
    if (!MessageDigest.isEqual(serverProof, mac(secret, SERVER_LABEL, transcript))) {
      throw new HandshakeException(
          socket.remote()
              + " did not prove the job secret: is "
              + JobSecret.ENV_VAR
              + " the same on every rank?");
    }
  }

  /**
   * Authenticates a connecting client and returns the identity it declared (now authenticated).
   * {@code greeted} runs once the client's HELLO is well-formed; {@code vet} sees the identity once
   * the client has proven the secret, before the server accepts: a non-null reason refuses it.
   */
  static byte[] server(
      FramedSocket socket,
      byte[] secret,
      String purpose,
      Duration timeout,
      Runnable greeted,
      Function<byte[], String> vet)
      throws IOException {
    try {
      return serverSteps(socket, secret, purpose, timeout, greeted, vet);
    } catch (SocketTimeoutException e) {
      throw timedOut(timeout, e);
    }
  }

  private static byte[] serverSteps(
      FramedSocket socket,
      byte[] secret,
      String purpose,
      Duration timeout,
      Runnable greeted,
      Function<byte[], String> vet)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteBuffer hello = expect(socket, HELLO, deadline, -1);
    if (!hello.hasRemaining()) {
      throw new ProtocolException("malformed HELLO: empty");
    }
    byte version = hello.get();
    if (version != VERSION) {
      throw refuse(socket, deadline, "unsupported protocol version " + version);
    }
    byte[] purposeBytes = field(hello);
    String declared = new String(purposeBytes, StandardCharsets.US_ASCII);
    if (!declared.equals(purpose)) {
      throw refuse(
          socket,
          deadline,
          "this port serves '" + purpose + "', not '" + printable(declared) + "'");
    }
    byte[] identity = field(hello);
    if (hello.remaining() != NONCE_BYTES) {
      throw new ProtocolException("malformed HELLO: nonce of " + hello.remaining() + " bytes");
    }
    byte[] clientNonce = take(hello, NONCE_BYTES);
    greeted.run();
    byte[] serverNonce = nonce();
    byte[] transcript = transcript(purposeBytes, identity, clientNonce, serverNonce);
    socket.write(CHALLENGE, remaining(deadline), ByteBuffer.wrap(serverNonce));
    byte[] clientProof = take(expect(socket, RESPONSE, deadline, MAC_BYTES), MAC_BYTES);
    if (!MessageDigest.isEqual(clientProof, mac(secret, CLIENT_LABEL, transcript))) {
      throw refuse(socket, deadline, "authentication failed: wrong job secret");
    }
    String refusal = vet.apply(identity);
    if (refusal != null) {
      throw refuse(socket, deadline, refusal);
    }
    socket.write(
        ACCEPT, remaining(deadline), ByteBuffer.wrap(mac(secret, SERVER_LABEL, transcript)));
    return identity;
  }

  static void checkSecret(byte[] secret) {
    if (secret == null || secret.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "the job secret must have at least "
              + MIN_SECRET_BYTES
              + " bytes, got "
              + (secret == null ? "none" : secret.length));
    }
  }

  /**
   * Reads the next frame and checks its type and, when {@code exactLength >= 0}, its length. A
   * REFUSE frame becomes a {@link HandshakeException} carrying the peer's reason.
   */
  private static ByteBuffer expect(FramedSocket socket, byte type, long deadline, int exactLength)
      throws IOException {
    Frame frame;
    try {
      frame = socket.read(MAX_FRAME, remaining(deadline), false);
    } catch (EOFException e) {
      throw new EOFException("closed the connection during the handshake");
    }
    if (frame.type() == REFUSE) {
      String reason = StandardCharsets.UTF_8.decode(frame.payload()).toString();
      throw new HandshakeException("refused by " + socket.remote() + ": " + printable(reason));
    }
    if (frame.type() != type) {
      throw new ProtocolException(
          "unexpected frame type "
              + frame.type()
              + " during the handshake (expected "
              + type
              + ")");
    }
    if (exactLength >= 0 && frame.payload().remaining() != exactLength) {
      throw new ProtocolException(
          "malformed handshake frame type "
              + type
              + ": "
              + frame.payload().remaining()
              + " bytes, expected "
              + exactLength);
    }
    return frame.payload();
  }

  private static SocketTimeoutException timedOut(Duration timeout, SocketTimeoutException cause) {
    SocketTimeoutException e =
        new SocketTimeoutException("no complete handshake within " + Durations.format(timeout));
    e.initCause(cause);
    return e;
  }

  private static HandshakeException refuse(FramedSocket socket, long deadline, String reason) {
    try {
      socket.write(
          REFUSE, remaining(deadline), ByteBuffer.wrap(reason.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException ignored) {
      // The refusal is a courtesy to a misconfigured peer; the connection closes either way.
    }
    return new HandshakeException(reason);
  }

  private static byte[] field(ByteBuffer buffer) throws ProtocolException {
    if (!buffer.hasRemaining()) {
      throw new ProtocolException("malformed HELLO: truncated");
    }
    int length = Byte.toUnsignedInt(buffer.get());
    if (length > MAX_FIELD || length > buffer.remaining()) {
      throw new ProtocolException("malformed HELLO: field length " + length);
    }
    return take(buffer, length);
  }

  private static byte[] take(ByteBuffer buffer, int length) {
    byte[] bytes = new byte[length];
    buffer.get(bytes);
    return bytes;
  }

  private static void checkField(String name, byte[] value) {
    if (value.length > MAX_FIELD) {
      throw new IllegalArgumentException(
          "handshake " + name + " must be at most " + MAX_FIELD + " bytes");
    }
  }

  private static byte[] transcript(byte[] purpose, byte[] identity, byte[] nonceA, byte[] nonceB) {
    return ByteBuffer.allocate(2 + purpose.length + identity.length + 2 * NONCE_BYTES)
        .put((byte) purpose.length)
        .put(purpose)
        .put((byte) identity.length)
        .put(identity)
        .put(nonceA)
        .put(nonceB)
        .array();
  }

  private static byte[] mac(byte[] secret, byte[] label, byte[] transcript) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      mac.update(label);
      return mac.doFinal(transcript);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is unavailable in this JVM", e);
    }
  }

  private static byte[] nonce() {
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    return nonce;
  }

  private static Duration remaining(long deadline) {
    return Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
  }

  /** Peer-supplied text is logged, so control characters are replaced. */
  private static String printable(String text) {
    String clipped = text.length() > 120 ? text.substring(0, 120) + "..." : text;
    return clipped.replaceAll("\\p{Cntrl}", "?");
  }
}
