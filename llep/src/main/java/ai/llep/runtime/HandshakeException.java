package ai.llep.runtime;

import java.io.IOException;

/** The peer failed authentication or broke the handshake protocol. */
final class HandshakeException extends IOException {
  private static final long serialVersionUID = 1L;

  HandshakeException(String message) {
    super(message);
  }
}
