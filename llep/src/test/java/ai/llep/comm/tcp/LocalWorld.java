package ai.llep.comm.tcp;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.runtime.FreePort;
import ai.llep.runtime.JobSecret;
import ai.llep.runtime.Rendezvous;
import ai.llep.runtime.RendezvousStore;
import ai.llep.runtime.WorldInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** P ranks in this JVM, one thread and one NDManager each, meshed over loopback. */
public final class LocalWorld implements AutoCloseable {
  static final byte[] SECRET = JobSecret.parse(JobSecret.generateHex());

  /** What one rank runs. */
  public interface RankBody<T> {
    T run(int rank, TcpCommunicator comm, NDManager manager) throws Exception;
  }

  /** One rank's result or failure. */
  public record Outcome<T>(T value, Throwable error) {}

  final int size;
  final int storePort;
  private final List<RendezvousStore> stores = new ArrayList<>();
  private final List<TcpCommunicator> comms = new ArrayList<>();
  private final List<NDManager> managers = new ArrayList<>();
  private final ExecutorService pool;

  private LocalWorld(int size, int storePort) {
    this.size = size;
    this.storePort = storePort;
    this.pool = Executors.newFixedThreadPool(size);
  }

  public static LocalWorld start(int size, TcpOptions options) throws Exception {
    LocalWorld world = new LocalWorld(size, FreePort.pick());
    List<Future<TcpCommunicator>> created = new ArrayList<>();
    for (int rank = 0; rank < size; rank++) {
      WorldInfo info = new WorldInfo(rank, rank, size, size, "127.0.0.1", world.storePort);
      RendezvousStore store = Rendezvous.open(info, SECRET, options.connectTimeout());
      world.stores.add(store);
      world.managers.add(NDManager.newBaseManager("PyTorch"));
      created.add(world.pool.submit(() -> TcpCommunicator.create(info, store, SECRET, options)));
    }
    for (Future<TcpCommunicator> comm : created) {
      world.comms.add(comm.get(30, TimeUnit.SECONDS));
    }
    return world;
  }

  public TcpCommunicator comm(int rank) {
    return comms.get(rank);
  }

  RendezvousStore store(int rank) {
    return stores.get(rank);
  }

  /** Runs {@code body} on every rank at once and collects each rank's outcome. */
  public <T> List<Outcome<T>> run(RankBody<T> body) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (int rank = 0; rank < size; rank++) {
      int r = rank;
      futures.add(pool.submit(() -> body.run(r, comms.get(r), managers.get(r))));
    }
    List<Outcome<T>> outcomes = new ArrayList<>();
    for (Future<T> future : futures) {
      try {
        outcomes.add(new Outcome<>(future.get(60, TimeUnit.SECONDS), null));
      } catch (java.util.concurrent.ExecutionException e) {
        outcomes.add(new Outcome<>(null, e.getCause()));
      }
    }
    return outcomes;
  }

  /** Like {@link #run} but fails the test if any rank failed. */
  <T> List<T> runAll(RankBody<T> body) throws Exception {
    List<T> values = new ArrayList<>();
    AssertionError failed = null;
    List<Outcome<T>> outcomes = run(body);
    for (int rank = 0; rank < outcomes.size(); rank++) {
      Throwable error = outcomes.get(rank).error();
      if (error != null) {
        if (failed == null) {
          failed = new AssertionError("rank " + rank + " failed: " + error, error);
        } else {
          failed.addSuppressed(error);
        }
      }
      values.add(outcomes.get(rank).value());
    }
    if (failed != null) {
      throw failed;
    }
    return values;
  }

  static TcpOptions options(Duration timeout) {
    return new TcpOptions(timeout, Duration.ofSeconds(20), "");
  }

  @Override
  public void close() {
    comms.forEach(Communicator::close);
    managers.forEach(NDManager::close);
    // Rank 0 hosts the store, so it closes last.
    for (int rank = stores.size() - 1; rank >= 0; rank--) {
      stores.get(rank).close();
    }
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
