package ai.llep.comm.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.comm.CommException;
import org.junit.jupiter.api.Test;

class BindHostTest {
  @Test
  void loopbackMasterMeansLoopback() {
    assertEquals("127.0.0.1", BindHost.resolve("", "localhost", 29500).getHostAddress());
    assertEquals("127.0.0.1", BindHost.resolve("", "127.0.0.1", 29500).getHostAddress());
  }

  @Test
  void anExplicitHostWins() {
    assertEquals("127.0.0.2", BindHost.resolve("127.0.0.2", "10.1.2.3", 29500).getHostAddress());
  }

  @Test
  void theWildcardIsRefused() {
    var e = assertThrows(CommException.class, () -> BindHost.resolve("0.0.0.0", "127.0.0.1", 1));
    assertEquals(
        "the tcp bind host must be an address peers can reach, not the wildcard 0.0.0.0",
        e.getMessage());
  }
}
