package ai.llep.comm.tcp;

import static ai.llep.comm.TestTensors.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.ReduceOp;
import ai.llep.comm.TestTensors;
import ai.llep.runtime.Attacks;
import ai.llep.runtime.LogCapture;
import ai.llep.runtime.SecureListener;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * While three ranks run collectives, strangers hit the store and a rank's listening port with a
 * wrong secret, no secret, garbage, oversized and unknown frames, a silent socket and, with the
 * right secret, identities the mesh must refuse. The job finishes with exact results; every refusal
 * is logged with its address and reason.
 */
class TcpIntrusionTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String[] REASONS = {
    "authentication failed: wrong job secret",
    "closed the connection during the handshake",
    "bad frame magic",
    "frame length 2147483647 is over the bound of 512 bytes",
    "unexpected frame type 99 during the handshake"
  };

  @Test
  void attacksDuringCollectivesAreRefusedAndLogged() throws Exception {
    List<String> warnings;
    try (LogCapture logs = LogCapture.withDebugOf(SecureListener.class)) {
      try (LocalWorld world = LocalWorld.start(3, LocalWorld.options(WAIT))) {
        attackDuringCollectives(world);
        for (String target : new String[] {"store", "mesh"}) {
          for (String reason : REASONS) {
            String expected = "to " + target + ": " + reason;
            String line = logs.await(l -> l.contains(expected), WAIT);
            assertNotNull(line, "no log line with: " + expected + "\n" + logs.lines());
            assertTrue(line.matches("(DEBUG|WARN) refused connection from /127.0.0.1:.*"), line);
          }
        }
      }
      warnings = logs.lines().stream().filter(l -> l.startsWith("WARN")).toList();
    }
    // Refusals of strangers are summed up; those of peers with the secret are each named.
    for (String target : new String[] {"store", "mesh"}) {
      List<String> lines = warnings.stream().filter(l -> l.contains("to " + target)).toList();
      assertTrue(lines.size() <= (target.equals("mesh") ? 5 : 3), lines::toString);
      assertTrue(Attacks.refusalsWarned(lines, target) >= REASONS.length, lines::toString);
    }
    for (String refusal :
        new String[] {
          "rank 0 may not connect to rank 1 (higher ranks connect down)",
          "rank 2 is already connected to rank 1"
        }) {
      String line = "to mesh: " + refusal;
      assertTrue(
          warnings.stream()
              .anyMatch(
                  l ->
                      l.startsWith("WARN refused connection from /127.0.0.1:") && l.endsWith(line)),
          line + " not in " + warnings);
    }
  }

  private static void attackDuringCollectives(LocalWorld world) throws Exception {
    AtomicBoolean attacksDone = new AtomicBoolean();
    CompletableFuture<List<Integer>> job =
        CompletableFuture.supplyAsync(() -> runUntil(world, attacksDone));
    InetSocketAddress store = new InetSocketAddress("127.0.0.1", world.storePort);
    InetSocketAddress rank1 = world.comm(1).listenAddress();
    try (Socket silentStore = Attacks.silent(store);
        Socket silentRank = Attacks.silent(rank1)) {
      assertTrue(silentStore.isConnected() && silentRank.isConnected());
      for (InetSocketAddress target : List.of(store, rank1)) {
        Attacks.wrongSecret(target, target == store ? "store" : Mesh.PURPOSE, new byte[0]);
        Attacks.connectAndClose(target);
        Attacks.garbage(target, target.getPort());
        Attacks.oversizedFrame(target);
        Attacks.unknownFrameType(target);
      }
      assertEquals(
          "refused by " + rank1 + ": rank 0 may not connect to rank 1 (higher ranks connect down)",
          Attacks.rightSecret(rank1, LocalWorld.SECRET, Mesh.PURPOSE, MeshInbound.identity(1, 0, 1))
              .getMessage());
      assertEquals(
          "refused by " + rank1 + ": rank 2 is already connected to rank 1",
          Attacks.rightSecret(rank1, LocalWorld.SECRET, Mesh.PURPOSE, MeshInbound.identity(1, 2, 1))
              .getMessage());
      attacksDone.set(true);
      List<Integer> iterations = job.get(60, TimeUnit.SECONDS);
      assertEquals(iterations.get(0), iterations.get(2));
      assertTrue(iterations.get(0) >= 3, "collectives ran during the attacks");
    }
  }

  /** Rank-agreed loop: runs until any rank has seen the attacks end; returns the iterations. */
  private static List<Integer> runUntil(LocalWorld world, AtomicBoolean attacksDone) {
    try {
      return world.runAll(
          (rank, comm, manager) -> {
            int iteration = 0;
            while (true) {
              try (NDManager scope = manager.newSubManager()) {
                checkOneRound(comm, scope, rank, iteration);
                NDArray stop =
                    comm.allReduce(scope.create(attacksDone.get() ? 1 : 0), ReduceOp.MAX);
                iteration++;
                if (stop.getInt() == 1 && iteration >= 3) {
                  return iteration;
                }
              }
            }
          });
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void checkOneRound(TcpCommunicator comm, NDManager m, int rank, int iteration) {
    Shape shape = new Shape(4, 3);
    NDArray[] inputs = new NDArray[3];
    for (int p = 0; p < 3; p++) {
      inputs[p] = TestTensors.random(m, DataType.FLOAT32, shape, iteration * 10L + p);
    }
    NDArray sum = comm.allReduce(inputs[rank], ReduceOp.SUM);
    assertSameBits(inputs[0].add(inputs[1]).add(inputs[2]), sum, "all-reduce " + iteration);
    long[] rows = {1, 2, 1};
    long start = rank == 0 ? 0 : rank == 1 ? 1 : 3;
    NDList expected = new NDList();
    for (NDArray input : inputs) {
      expected.add(input.get(new NDIndex("{}:{}", start, start + rows[rank])));
    }
    long[] recvRows = {rows[rank], rows[rank], rows[rank]};
    NDArray swapped = comm.allToAllV(inputs[rank], rows, recvRows);
    assertSameBits(NDArrays.concat(expected), swapped, "all-to-all-v " + iteration);
  }
}
