package ai.llep.comm.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** A peer's claim on its link is held once vetted, and released when its handshake then breaks. */
class MeshInboundTest {
  @Test
  void aPeerWhoseHandshakeBrokeAfterVettingMayRetry() {
    MeshInbound inbound = new MeshInbound(1, 3, 7);
    byte[] rank2 = MeshInbound.identity(7, 2, 1);
    assertNull(inbound.refusal(rank2));
    assertEquals("rank 2 is already connected to rank 1", inbound.refusal(rank2));
    inbound.abandoned(rank2); // e.g. its connection closed before ACCEPT reached it
    assertNull(inbound.refusal(rank2));
    inbound.close();
  }
}
