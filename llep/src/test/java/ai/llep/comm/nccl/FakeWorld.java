package ai.llep.comm.nccl;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
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

/** P ranks in this JVM, each an NCCL communicator on CPU tensors over one {@link FakeNccl}. */
final class FakeWorld implements AutoCloseable {
  /** What one rank runs. */
  interface RankBody<T> {
    T run(int rank, NcclCommunicator comm, NDManager manager) throws Exception;
  }

  final FakeNccl nccl;
  final int size;
  private final RendezvousStore store;
  private final ExecutorService pool;
  private final List<NcclCommunicator> comms = new ArrayList<>();
  private final List<NDManager> managers = new ArrayList<>();

  private FakeWorld(int size) {
    this.size = size;
    this.nccl = new FakeNccl(size);
    this.store =
        Rendezvous.open(
            WorldInfo.single(), JobSecret.parse(JobSecret.generateHex()), Duration.ofSeconds(5));
    this.pool = Executors.newFixedThreadPool(size);
  }

  /** Connects every rank; the communicators are built concurrently, as separate processes would. */
  static FakeWorld start(int size, NcclOptions options) throws Exception {
    FakeWorld world = new FakeWorld(size);
    List<Future<NcclCommunicator>> created = new ArrayList<>();
    for (int rank = 0; rank < size; rank++) {
      created.add(world.pool.submit(world.connector(rank, options)));
      world.managers.add(NDManager.newBaseManager(Device.cpu(), "PyTorch"));
    }
    for (Future<NcclCommunicator> comm : created) {
      world.comms.add(comm.get(20, TimeUnit.SECONDS));
    }
    return world;
  }

  static NcclOptions options(Duration timeout) {
    return new NcclOptions(timeout, Duration.ofSeconds(10), "");
  }

  /** Builds rank {@code rank}'s communicator on the calling thread. */
  java.util.concurrent.Callable<NcclCommunicator> connector(int rank, NcclOptions options) {
    WorldInfo info = new WorldInfo(rank, rank, size, size, "127.0.0.1", 1);
    return () ->
        NcclCommunicator.connect(
            nccl.rank(rank), nccl.rank(rank), info, store, options, Device.cpu());
  }

  static FakeWorld unconnected(int size) {
    return new FakeWorld(size);
  }

  NcclCommunicator comm(int rank) {
    return comms.get(rank);
  }

  NDManager manager(int rank) {
    return managers.get(rank);
  }

  /** Runs {@code body} on every rank at once; rethrows the first failure with the others added. */
  <T> List<T> runAll(RankBody<T> body) throws Exception {
    List<Future<T>> futures = new ArrayList<>();
    for (int rank = 0; rank < size; rank++) {
      int r = rank;
      futures.add(pool.submit(() -> body.run(r, comms.get(r), managers.get(r))));
    }
    List<T> values = new ArrayList<>();
    AssertionError failed = null;
    for (int rank = 0; rank < size; rank++) {
      try {
        values.add(futures.get(rank).get(30, TimeUnit.SECONDS));
      } catch (java.util.concurrent.ExecutionException e) {
        AssertionError error = new AssertionError("rank " + rank + " failed: " + e.getCause(), e);
        if (failed == null) {
          failed = error;
        } else {
          failed.addSuppressed(error);
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
    return values;
  }

  /** Runs {@code body} on one rank only, on the pool (its peers stay silent). */
  <T> Future<T> runOn(int rank, RankBody<T> body) {
    return pool.submit(() -> body.run(rank, comms.get(rank), managers.get(rank)));
  }

  @Override
  public void close() {
    comms.forEach(NcclCommunicator::close);
    managers.forEach(NDManager::close);
    store.close();
    pool.shutdownNow();
  }
}
