package ai.llep.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.comm.CommException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class TcpStoreTest {
  private static final byte[] SECRET = JobSecret.parse(JobSecret.generateHex());
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static WorldInfo world(int rank, int size, int port) {
    return new WorldInfo(rank, rank, size, size, "127.0.0.1", port);
  }

  @Test
  void setGetWaitAndAddAcrossRanks() throws Exception {
    int port = FreePort.pick();
    int size = 3;
    List<String> done = List.of("done/0", "done/1", "done/2");
    try (ExecutorService pool = Executors.newFixedThreadPool(size)) {
      List<Future<Long>> results = new ArrayList<>();
      // Highest rank first: clients must wait for rank 0's server.
      for (int rank = size - 1; rank >= 0; rank--) {
        int r = rank;
        results.add(
            pool.submit(
                () -> {
                  try (RendezvousStore store =
                      Rendezvous.open(world(r, size, port), SECRET, TIMEOUT)) {
                    store.set("addr/" + r, ("host-" + r).getBytes(StandardCharsets.UTF_8));
                    store.waitFor(List.of("addr/0", "addr/1", "addr/2"), TIMEOUT);
                    for (int peer = 0; peer < size; peer++) {
                      byte[] value = store.get("addr/" + peer, TIMEOUT);
                      assertEquals("host-" + peer, new String(value, StandardCharsets.UTF_8));
                    }
                    long counted = store.add("counter", 10);
                    store.set("done/" + r, new byte[0]);
                    if (r == 0) {
                      store.waitFor(done, TIMEOUT);
                    }
                    return counted;
                  }
                }));
      }
      List<Long> counted = new ArrayList<>();
      for (Future<Long> result : results) {
        counted.add(result.get());
      }
      assertEquals(List.of(10L, 20L, 30L), counted.stream().sorted().toList());
    }
  }

  @Test
  void addCountsAndGetReadsTheCounter() throws Exception {
    try (TcpStoreServer server = TcpStoreServer.start(loopback(), SECRET, TIMEOUT);
        RendezvousStore store = client(server)) {
      assertEquals(5, store.add("n", 5));
      assertEquals(2, store.add("n", -3));
      assertArrayEquals("2".getBytes(StandardCharsets.US_ASCII), store.get("n", TIMEOUT));
      store.set("text", "x".getBytes(StandardCharsets.UTF_8));
      CommException e = assertThrows(CommException.class, () -> store.add("text", 1));
      assertEquals(
          "the rendezvous store at "
              + server.address()
              + " refused adding to key 'text': key 'text' holds a value that is not a counter,"
              + " cannot add to it",
          e.getMessage());
    }
  }

  @Test
  void getTimesOutNamingTheKey() throws Exception {
    try (TcpStoreServer server = TcpStoreServer.start(loopback(), SECRET, TIMEOUT);
        RendezvousStore store = client(server)) {
      long start = System.nanoTime();
      CommException e =
          assertThrows(CommException.class, () -> store.get("mesh/7", Duration.ofMillis(200)));
      assertEquals(
          "timed out after 200ms waiting for key 'mesh/7' in the rendezvous store at "
              + server.address(),
          e.getMessage());
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(3).toNanos());
      store.set("a", new byte[] {1});
      e =
          assertThrows(
              CommException.class, () -> store.waitFor(List.of("a", "b"), Duration.ofMillis(100)));
      assertTrue(e.getMessage().contains("waiting for key 'b'"), e.getMessage());
      // The connection survives a timeout.
      assertArrayEquals(new byte[] {1}, store.get("a", TIMEOUT));
    }
  }

  @Test
  void clientRetriesUntilTheServerStarts() throws Exception {
    InetSocketAddress address = new InetSocketAddress("127.0.0.1", FreePort.pick());
    try (ExecutorService pool = Executors.newSingleThreadExecutor()) {
      Future<RendezvousStore> late =
          pool.submit(() -> TcpStoreClient.connect(address, SECRET, TIMEOUT, TIMEOUT, null));
      Thread.sleep(300);
      try (TcpStoreServer server = TcpStoreServer.start(address, SECRET, TIMEOUT);
          RendezvousStore store = late.get()) {
        assertEquals(address, server.address());
        store.set("k", new byte[] {7});
        assertArrayEquals(new byte[] {7}, store.get("k", TIMEOUT));
      }
    }
  }

  @Test
  void wrongSecretIsRefusedAndLogged() throws Exception {
    try (LogCapture logs = new LogCapture();
        TcpStoreServer server = TcpStoreServer.start(loopback(), SECRET, TIMEOUT)) {
      byte[] wrong = JobSecret.parse(JobSecret.generateHex());
      CommException e =
          assertThrows(
              CommException.class,
              () -> TcpStoreClient.connect(server.address(), wrong, TIMEOUT, TIMEOUT, null));
      assertEquals(
          "cannot reach the rendezvous store at "
              + server.address()
              + ": refused by "
              + server.address()
              + ": authentication failed: wrong job secret",
          e.getMessage());
      String line = logs.await(l -> l.contains("wrong job secret"), TIMEOUT);
      assertTrue(line != null && line.startsWith("WARN refused connection from /127.0.0.1:"), line);
    }
  }

  @Test
  void serverBindsOnlyTheMasterInterface() throws Exception {
    try (TcpStoreServer server = TcpStoreServer.start(loopback(), SECRET, TIMEOUT)) {
      assertEquals("127.0.0.1", server.address().getAddress().getHostAddress());
    }
    assertThrows(
        IllegalArgumentException.class,
        () -> TcpStoreServer.start(new InetSocketAddress("0.0.0.0", 0), SECRET, TIMEOUT));
  }

  @Test
  void oneProcessGetsALocalStore() {
    try (RendezvousStore store = Rendezvous.open(WorldInfo.single(), SECRET, TIMEOUT)) {
      store.set("k", new byte[] {1, 2});
      assertArrayEquals(new byte[] {1, 2}, store.get("k", TIMEOUT));
      assertEquals(3, store.add("c", 3));
      CommException e = assertThrows(CommException.class, () -> store.get("x", Duration.ZERO));
      assertEquals(
          "timed out after 0s waiting for key 'x' in the local rendezvous store", e.getMessage());
    }
  }

  static InetSocketAddress loopback() {
    return new InetSocketAddress("127.0.0.1", 0);
  }

  static RendezvousStore client(TcpStoreServer server) {
    return TcpStoreClient.connect(server.address(), SECRET, TIMEOUT, TIMEOUT, null);
  }
}
