package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.runtime.Attacks;
import ai.llep.runtime.Flood;
import ai.llep.runtime.FreePort;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Nobody without the job secret can stop a job, and an obviously weak secret is no secret. */
class JobSecurityIT {
  /**
   * Strangers hold 500 silent and 500 garbage-sending connections to the rendezvous store from the
   * moment it listens: the job completes, with the refusals summed up in a few log lines.
   */
  @Test
  void aJobCompletesWhileStrangersFloodTheStorePort() {
    int port = FreePort.pick();
    Launch.Outcome outcome;
    long floodConnections;
    try (Flood flood = Flood.start(new InetSocketAddress("127.0.0.1", port), 500, 500)) {
      outcome =
          Launch.run(
              2,
              Duration.ofMinutes(2),
              "--master-port",
              Integer.toString(port),
              "comm-check",
              "comm-check.bandwidth-bytes=65536");
      floodConnections = flood.connections();
    }
    assertEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.hasLine("comm-check PASS"), outcome.output());
    assertTrue(floodConnections >= 1000, floodConnections + " flood connections");
    // One line for the first refusal, then one per 10 s summing up the others.
    List<String> refusals =
        outcome
            .output()
            .lines()
            .filter(l -> l.contains(" WARN  SecureListener - refused"))
            .map(l -> "WARN " + l.substring(l.indexOf("SecureListener - ") + 17))
            .toList();
    String shown = refusals.size() + " refusal lines:\n" + String.join("\n", refusals);
    assertTrue(refusals.size() <= 2 + outcome.elapsed().toSeconds() / 10, shown);
    assertTrue(Attacks.refusalsWarned(refusals, "store") >= 500, shown);
  }

  @Test
  void anObviouslyWeakSecretIsRefusedWithAWayToMakeAGoodOne() {
    ProcessBuilder launcher = Launch.builder(null, 2, "comm-check");
    launcher.environment().put("LLEP_JOB_SECRET", "deadbeef".repeat(8));
    Launch.Outcome outcome = Launch.run(launcher, Duration.ofMinutes(1));
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(
        outcome.hasLine(
            "error: LLEP_JOB_SECRET is too weak: it repeats a pattern of 8 hex digits. Use 32 random"
                + " bytes, the same on every node, e.g. export LLEP_JOB_SECRET=$(openssl rand -hex"
                + " 32)"),
        outcome.output());
    assertTrue(!outcome.output().contains("deadbeef"), outcome.output());
  }
}
