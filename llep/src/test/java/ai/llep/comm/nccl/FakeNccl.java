package ai.llep.comm.nccl;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * NCCL's behaviour in one JVM, on host memory, for testing the communicator without a GPU. Each
 * rank has a "stream", a single thread that runs its queued operations in order; messages travel
 * through one unbounded queue per (source, destination) pair, so a rank whose peer never posts
 * waits forever on its stream, as a GPU kernel would. {@link Rank#commAbort} interrupts it. Calls
 * are logged for assertions.
 */
final class FakeNccl {
  private final int size;
  private final List<List<BlockingQueue<byte[]>>> channels = new ArrayList<>();
  private final AtomicInteger joined = new AtomicInteger();
  private final List<Rank> ranks = new ArrayList<>();
  final List<String> calls = Collections.synchronizedList(new ArrayList<>());

  FakeNccl(int size) {
    this.size = size;
    for (int src = 0; src < size; src++) {
      List<BlockingQueue<byte[]>> row = new ArrayList<>();
      for (int dst = 0; dst < size; dst++) {
        row.add(new LinkedBlockingQueue<>());
      }
      channels.add(row);
      ranks.add(new Rank(src));
    }
  }

  Rank rank(int r) {
    return ranks.get(r);
  }

  /** One rank's view: the NCCL functions and its device queue. */
  final class Rank implements NcclApi, DeviceQueue {
    private final int rank;
    private final ExecutorService stream;
    private List<Interruptible> groupSends;
    private List<Interruptible> groupRecvs;
    private volatile boolean ordersLaterUses;
    private volatile int asyncState = NcclResult.SUCCESS;
    private volatile String lastError = "";
    private volatile boolean aborted;
    private volatile boolean destroyed;

    private Rank(int rank) {
      this.rank = rank;
      this.stream =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "fake-nccl-stream-" + rank);
                t.setDaemon(true);
                return t;
              });
    }

    /**
     * Lets the communicator return before point-to-point work finishes, as on a GPU; only for tests
     * that do not read those results on the host.
     */
    void orderLaterUses() {
      ordersLaterUses = true;
    }

    /** Makes the communicator report an asynchronous error, as NCCL does when a peer dies. */
    void failAsync(int result, String message) {
      lastError = message;
      asyncState = result;
    }

    boolean aborted() {
      return aborted;
    }

    boolean destroyed() {
      return destroyed;
    }

    @Override
    public int version() {
      return 22803;
    }

    @Override
    public byte[] uniqueId() {
      byte[] id = new byte[NcclLibrary.UNIQUE_ID_BYTES];
      id[0] = 42;
      return id;
    }

    @Override
    public Started commInitRank(int worldSize, byte[] uniqueId, int r) {
      if (worldSize != size || r != rank || uniqueId[0] != 42) {
        return new Started(NcclResult.INVALID_ARGUMENT, 0);
      }
      joined.incrementAndGet();
      return new Started(NcclResult.IN_PROGRESS, rank + 1);
    }

    @Override
    public int commFinalize(long comm) {
      calls.add("rank " + rank + " finalize");
      return NcclResult.IN_PROGRESS;
    }

    @Override
    public int commDestroy(long comm) {
      destroyed = true;
      stream.shutdownNow();
      return NcclResult.SUCCESS;
    }

    @Override
    public int commAbort(long comm) {
      calls.add("rank " + rank + " abort");
      aborted = true;
      stream.shutdownNow();
      return NcclResult.SUCCESS;
    }

    @Override
    public int asyncError(long comm) {
      if (asyncState != NcclResult.SUCCESS) {
        return asyncState;
      }
      return joined.get() < size ? NcclResult.IN_PROGRESS : NcclResult.SUCCESS;
    }

    @Override
    public String errorString(int result) {
      return "fake description of " + NcclResult.name(result);
    }

    @Override
    public String lastError(long comm) {
      return lastError;
    }

    @Override
    public int allGather(long send, long recv, long count, int type, long comm, long s) {
      calls.add("rank " + rank + " all-gather count=" + count);
      long bytes = count * NcclDataType.bytesOf(type);
      return enqueue(
          () -> {
            byte[] mine = read(send, bytes);
            for (int q = 0; q < size; q++) {
              post(q, mine);
            }
            for (int q = 0; q < size; q++) {
              write(recv + q * bytes, take(q));
            }
          });
    }

    @Override
    public int allReduce(long send, long recv, long count, int type, int op, long comm, long s) {
      calls.add("rank " + rank + " all-reduce count=" + count + " op=" + op);
      long bytes = count * NcclDataType.bytesOf(type);
      return enqueue(
          () -> {
            byte[] mine = read(send, bytes);
            for (int q = 0; q < size; q++) {
              post(q, mine);
            }
            MemorySegment acc = MemorySegment.ofArray(take(0));
            for (int q = 1; q < size; q++) {
              Reduce.into(acc, MemorySegment.ofArray(take(q)), count, type, op);
            }
            write(recv, acc.toArray(ValueLayout.JAVA_BYTE));
          });
    }

    @Override
    public int broadcast(long send, long recv, long count, int type, int root, long comm, long s) {
      calls.add("rank " + rank + " broadcast count=" + count + " root=" + root);
      long bytes = count * NcclDataType.bytesOf(type);
      return enqueue(
          () -> {
            if (rank == root) {
              byte[] mine = read(send, bytes);
              for (int q = 0; q < size; q++) {
                post(q, mine);
              }
            }
            write(recv, take(root));
          });
    }

    @Override
    public int send(long buffer, long count, int type, int peer, long comm, long s) {
      calls.add("rank " + rank + " send peer=" + peer + " count=" + count);
      long bytes = count * NcclDataType.bytesOf(type);
      return inGroup(groupSends, () -> post(peer, read(buffer, bytes)));
    }

    @Override
    public int recv(long buffer, long count, int type, int peer, long comm, long s) {
      calls.add("rank " + rank + " recv peer=" + peer + " count=" + count);
      return inGroup(groupRecvs, () -> write(buffer, take(peer)));
    }

    @Override
    public int groupStart() {
      groupSends = new ArrayList<>();
      groupRecvs = new ArrayList<>();
      return NcclResult.SUCCESS;
    }

    /** Sends run before receives, as NCCL's pairing inside a group makes them behave. */
    @Override
    public int groupEnd() {
      List<Interruptible> ops = new ArrayList<>(groupSends);
      ops.addAll(groupRecvs);
      groupSends = null;
      groupRecvs = null;
      enqueue(
          () -> {
            for (Interruptible op : ops) {
              op.run();
            }
          });
      return NcclResult.IN_PROGRESS;
    }

    @Override
    public void enter() {}

    @Override
    public long stream() {
      return 0;
    }

    @Override
    public Fence fence() {
      Future<?> done;
      try {
        done = aborted ? null : stream.submit(() -> {});
      } catch (RejectedExecutionException e) {
        done = null;
      }
      Future<?> marker = done;
      return new Fence() {
        @Override
        public boolean reached() {
          return marker != null && marker.isDone();
        }

        @Override
        public void close() {}
      };
    }

    @Override
    public boolean ordersLaterUses() {
      return ordersLaterUses;
    }

    /**
     * One fake stream serves as both queues: work runs in the order it was queued. The host is the
     * only later user of fake results, so making the main queue wait means waiting here.
     */
    @Override
    public long sideStream() {
      return 0;
    }

    @Override
    public void sideWaitsForMain() {}

    @Override
    public Fence sideFence() {
      return fence();
    }

    @Override
    public void mainWaitsFor(Fence fence) {
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (!fence.reached()) {
        if (System.nanoTime() - deadline > 0) {
          throw new IllegalStateException(
              "fake stream of rank " + rank + " never reached the fence");
        }
        Thread.onSpinWait();
      }
    }

    @Override
    public void close() {
      stream.shutdownNow();
    }

    private int inGroup(List<Interruptible> ops, Interruptible op) {
      if (ops == null) {
        return NcclResult.INVALID_USAGE;
      }
      ops.add(op);
      return NcclResult.SUCCESS;
    }

    private int enqueue(Interruptible op) {
      if (aborted) {
        return NcclResult.INVALID_USAGE;
      }
      stream.submit(
          () -> {
            try {
              op.run();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return null;
          });
      return NcclResult.SUCCESS;
    }

    private void post(int peer, byte[] data) {
      channels.get(rank).get(peer).add(data.clone());
    }

    private byte[] take(int peer) throws InterruptedException {
      return channels.get(peer).get(rank).take();
    }
  }

  /** A stream operation that may block on a message. */
  @FunctionalInterface
  private interface Interruptible {
    void run() throws InterruptedException;
  }

  static byte[] read(long address, long bytes) {
    return MemorySegment.ofAddress(address).reinterpret(bytes).toArray(ValueLayout.JAVA_BYTE);
  }

  static void write(long address, byte[] data) {
    MemorySegment.copy(
        MemorySegment.ofArray(data),
        0,
        MemorySegment.ofAddress(address).reinterpret(data.length),
        0,
        data.length);
  }
}
