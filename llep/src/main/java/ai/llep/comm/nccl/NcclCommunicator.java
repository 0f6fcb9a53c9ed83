package ai.llep.comm.nccl;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.comm.CommException;
import ai.llep.comm.Communicator;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.PendingExchange;
import ai.llep.comm.ReduceOp;
import ai.llep.comm.SendRecvBatch;
import ai.llep.device.CudaRuntime;
import ai.llep.device.TensorAddress;
import ai.llep.runtime.RendezvousStore;
import ai.llep.runtime.WorldInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Communicator} over NCCL, for GPU ranks: one communicator per rank on GPU {@code
 * LOCAL_RANK}, tensors handed to NCCL by device address, results allocated by DJL on that GPU.
 * All-to-all-v and send-recv are NCCL groups of send/recv pairs (zero-size messages are not
 * posted). NCCL's all-reduce gives every rank identical bits, though not in rank order. See the
 * package documentation for how NCCL's work is ordered with libtorch's.
 *
 * <p>All-gather, all-reduce, broadcast and barrier wait until their device work has finished,
 * bounded by {@code comm.timeout}: their results are small and usually read by the host. On a GPU,
 * all-to-all-v and send-recv return as soon as NCCL has queued them: their results are consumed by
 * later device work, which the stream orders after them, and a watchdog thread bounds them by the
 * same timeout. On a timeout or an NCCL error the communicator is aborted, the waiting call (or,
 * for work in flight, the next call) throws a {@link CommException} naming the operation and NCCL's
 * message, and later calls are refused. Not thread-safe: one thread per rank calls the collectives.
 */
public final class NcclCommunicator implements Communicator {
  private static final Logger LOG = LoggerFactory.getLogger(NcclCommunicator.class);
  private static final Duration SHUTDOWN_LIMIT = Duration.ofSeconds(30);

  private final NcclApi nccl;
  private final NcclDriver driver;
  private final Device device;
  private final int rank;
  private final int worldSize;
  private final NDManager scratch;
  private CommException broken;
  private boolean closed;

  private NcclCommunicator(NcclApi nccl, NcclDriver driver, Device device, WorldInfo world) {
    this.nccl = nccl;
    this.driver = driver;
    this.device = device;
    this.rank = world.rank();
    this.worldSize = world.worldSize();
    this.scratch = NDManager.newBaseManager(device, "PyTorch");
  }

  /**
   * Connects this rank's NCCL communicator on GPU {@code world.localRank()}. Every rank calls this
   * with the same store, in the same order relative to other communicators built on that store.
   *
   * @throws IllegalStateException when the CUDA runtime, the GPU or the NCCL library is missing
   * @throws CommException when the peers cannot be reached within {@code connectTimeout}
   */
  public static NcclCommunicator create(
      WorldInfo world, RendezvousStore store, NcclOptions options) {
    CudaRuntime cuda = CudaRuntime.load();
    int devices = cuda.deviceCount();
    if (world.localRank() >= devices) {
      throw new IllegalStateException(
          "LOCAL_RANK="
              + world.localRank()
              + " needs GPU "
              + world.localRank()
              + ", but "
              + devices
              + " CUDA devices are visible");
    }
    NcclLibrary library = NcclLibrary.load(options.library());
    LOG.debug(
        "rank {}: NCCL {} from {}, GPU {}",
        world.rank(),
        library.version(),
        library.libraryName(),
        world.localRank());
    DeviceQueue queue = new CudaDeviceQueue(cuda, world.localRank());
    return connect(library, queue, world, store, options, Device.gpu(world.localRank()));
  }

  /** Exchanges the unique id through {@code store} and starts the communicator. */
  static NcclCommunicator connect(
      NcclApi nccl,
      DeviceQueue queue,
      WorldInfo world,
      RendezvousStore store,
      NcclOptions options,
      Device device) {
    try {
      byte[] id = UniqueIdExchange.exchange(nccl, world, store, options.connectTimeout());
      NcclDriver driver =
          NcclDriver.start(
              nccl,
              queue,
              world.rank(),
              world.worldSize(),
              id,
              options.timeout(),
              options.connectTimeout());
      return new NcclCommunicator(nccl, driver, device, world);
    } catch (RuntimeException e) {
      queue.close();
      throw e;
    }
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return worldSize;
  }

  /** The GPU whose tensors this communicator moves. */
  public Device device() {
    return device;
  }

  @Override
  public NDArray allGather(NDArray x) {
    int type = typeOf(x, "all-gather");
    return run(
        "all-gather",
        () -> {
          Shape shape = new Shape(worldSize).addAll(x.getShape());
          return collective(
              "all-gather",
              x,
              shape,
              (in, out) -> nccl.allGather(in, out, x.size(), type, driver.comm(), stream()));
        });
  }

  @Override
  public NDArray allReduce(NDArray x, ReduceOp op) {
    NcclDataType type = NcclDataType.of(Aten.dtype(checkDevice(x, "all-reduce")));
    if (!type.reducible()) {
      throw new IllegalArgumentException("all-reduce cannot reduce " + Aten.dtype(x));
    }
    int code = op == ReduceOp.SUM ? 0 : 2;
    return run(
        "all-reduce",
        () ->
            collective(
                "all-reduce",
                x,
                x.getShape(),
                (in, out) ->
                    nccl.allReduce(in, out, x.size(), type.code(), code, driver.comm(), stream())));
  }

  @Override
  public NDArray broadcast(NDArray x, int root) {
    int type = typeOf(x, "broadcast");
    if (root < 0 || root >= worldSize) {
      throw new IllegalArgumentException(
          "broadcast root must be in [0, " + worldSize + "), got " + root);
    }
    return run(
        "broadcast",
        () ->
            collective(
                "broadcast",
                x,
                x.getShape(),
                (in, out) ->
                    nccl.broadcast(
                        rank == root ? in : out,
                        out,
                        x.size(),
                        type,
                        root,
                        driver.comm(),
                        stream())));
  }

  @Override
  public NDArray allToAllV(NDArray x, long[] sendRows, long[] recvRows) {
    int type = typeOf(x, "all-to-all-v");
    AllToAllSplits splits = AllToAllSplits.of(rank, worldSize, x, sendRows, recvRows);
    return run(
        "all-to-all-v",
        () -> {
          NDArray in = TensorAddress.contiguous(x);
          NDArray out = empty(x.getManager(), splits.resultShape(), Aten.dtype(x));
          try {
            long inAddress = TensorAddress.of(in);
            long outAddress = TensorAddress.of(out);
            long bytes = Aten.dtype(x).getNumOfBytes();
            List<IntSupplier> posts = new ArrayList<>();
            for (int p = 0; p < worldSize; p++) {
              int peer = p;
              if (splits.sendCount(p) > 0) {
                long at = inAddress + splits.sendOffset(p) * bytes;
                posts.add(
                    () -> nccl.send(at, splits.sendCount(peer), type, peer, comm(), stream()));
              }
              if (splits.recvCount(p) > 0) {
                long at = outAddress + splits.recvOffset(p) * bytes;
                posts.add(
                    () -> nccl.recv(at, splits.recvCount(peer), type, peer, comm(), stream()));
              }
            }
            finish("all-to-all-v", posts);
            return out;
          } catch (RuntimeException e) {
            out.close();
            throw e;
          } finally {
            release(in, x);
          }
        });
  }

  @Override
  public NDList sendRecv(List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager) {
    checkSendRecv(sends, recvs);
    return run(
        "send-recv",
        () -> {
          List<NDArray> staged = new ArrayList<>();
          NDList received = new NDList(recvs.size());
          try {
            finish("send-recv", stage(sends, recvs, manager, staged, received, stream()));
            return received;
          } catch (RuntimeException e) {
            received.close();
            throw e;
          } finally {
            release(staged, sends);
          }
        });
  }

  /**
   * On a GPU, the transfers go to the side stream once the main stream has reached this call (so
   * the receive buffers, fresh from the caching allocator, are free), and {@code await} makes the
   * main stream wait for them. The staged copies of non-contiguous sends live until the await.
   */
  @Override
  public PendingExchange startSendRecv(
      List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager) {
    if (!driver.queue().ordersLaterUses()) {
      return PendingExchange.completed(sendRecv(sends, recvs, manager));
    }
    checkSendRecv(sends, recvs);
    return run(
        "send-recv",
        () -> {
          DeviceQueue queue = driver.queue();
          List<NDArray> staged = new ArrayList<>();
          NDList received = new NDList(recvs.size());
          try {
            List<IntSupplier> posts =
                stage(sends, recvs, manager, staged, received, queue.sideStream());
            if (posts.isEmpty()) {
              release(staged, sends);
              return PendingExchange.completed(received);
            }
            queue.sideWaitsForMain();
            long deadline = driver.deadline();
            driver.group("send-recv", deadline, posts);
            driver.track("send-recv", deadline, queue.sideFence());
            return new SideExchange(queue, queue.sideFence(), received, staged, sends);
          } catch (RuntimeException e) {
            received.close();
            release(staged, sends);
            throw e;
          }
        });
  }

  private void checkSendRecv(List<PeerSend> sends, List<PeerRecv> recvs) {
    SendRecvBatch.validate(rank, worldSize, sends, recvs, NcclDataType::of);
    sends.forEach(s -> checkDevice(s.tensor(), "send-recv"));
  }

  /** Send-recv work on the side stream, awaited by the main stream. */
  private final class SideExchange implements PendingExchange {
    private final DeviceQueue queue;
    private final DeviceQueue.Fence done;
    private final NDList received;
    private final List<NDArray> staged;
    private final List<PeerSend> sends;
    private boolean awaited;

    SideExchange(
        DeviceQueue queue,
        DeviceQueue.Fence done,
        NDList received,
        List<NDArray> staged,
        List<PeerSend> sends) {
      this.queue = queue;
      this.done = done;
      this.received = received;
      this.staged = staged;
      this.sends = sends;
    }

    @Override
    public NDList received() {
      return received;
    }

    @Override
    public void await() {
      if (awaited) {
        return;
      }
      awaited = true;
      queue.enter();
      queue.mainWaitsFor(done);
      done.close();
      release(staged, sends);
      driver.checkHealthy();
    }
  }

  /**
   * Stages the sends (contiguous copies where needed, into {@code staged}), allocates the receive
   * buffers (into {@code received}) and returns the NCCL posts for {@code stream}.
   */
  private List<IntSupplier> stage(
      List<PeerSend> sends,
      List<PeerRecv> recvs,
      NDManager manager,
      List<NDArray> staged,
      NDList received,
      long stream) {
    List<IntSupplier> posts = new ArrayList<>();
    for (PeerSend s : sends) {
      NDArray in = TensorAddress.contiguous(s.tensor());
      staged.add(in);
      long count = in.size();
      int type = NcclDataType.of(Aten.dtype(in)).code();
      long at = TensorAddress.of(in);
      if (count > 0) {
        posts.add(() -> nccl.send(at, count, type, s.peer(), comm(), stream));
      }
    }
    for (PeerRecv r : recvs) {
      NDArray out = empty(manager, r.shape(), r.dataType());
      received.add(out);
      long count = out.size();
      int type = NcclDataType.of(r.dataType()).code();
      long at = TensorAddress.of(out);
      if (count > 0) {
        posts.add(() -> nccl.recv(at, count, type, r.peer(), comm(), stream));
      }
    }
    return posts;
  }

  private static void release(List<NDArray> staged, List<PeerSend> sends) {
    for (int i = 0; i < staged.size(); i++) {
      release(staged.get(i), sends.get(i).tensor());
    }
  }

  @Override
  public void barrier() {
    run(
        "barrier",
        () -> {
          try (NDManager scope = scratch.newSubManager()) {
            NDArray token = scope.zeros(new Shape(1), DataType.INT32);
            collective(
                "barrier",
                token,
                token.getShape(),
                (in, out) ->
                    nccl.allReduce(in, out, 1, NcclDataType.INT32.code(), 0, comm(), stream()));
          }
          return null;
        });
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      driver.shutdown(SHUTDOWN_LIMIT);
    } catch (CommException e) {
      LOG.warn("rank {}: closing the NCCL communicator: {}", rank, e.getMessage());
    } finally {
      scratch.close();
      driver.queue().close();
    }
  }

  /** One NCCL collective from {@code x} into a new array of {@code resultShape}. */
  private NDArray collective(String op, NDArray x, Shape resultShape, Call call) {
    NDArray in = TensorAddress.contiguous(x);
    NDArray out = empty(x.getManager(), resultShape, Aten.dtype(x));
    try {
      if (x.size() > 0) {
        long deadline = driver.deadline();
        long inAddress = TensorAddress.of(in);
        long outAddress = TensorAddress.of(out);
        driver.call(op, deadline, () -> call.run(inAddress, outAddress));
        driver.complete(op, deadline);
      }
      return out;
    } catch (RuntimeException e) {
      out.close();
      throw e;
    } finally {
      release(in, x);
    }
  }

  /** Queues {@code posts} as one group; waits for it only where later uses are not ordered. */
  private void finish(String op, List<IntSupplier> posts) {
    long deadline = driver.deadline();
    driver.group(op, deadline, posts);
    if (posts.isEmpty()) {
      return;
    }
    if (driver.queue().ordersLaterUses()) {
      driver.track(op, deadline);
    } else {
      driver.complete(op, deadline);
    }
  }

  /**
   * Closes a contiguous copy made for NCCL once NCCL has queued its work: either that work has
   * finished, or the stream orders the memory's reuse after it.
   */
  private static void release(NDArray staged, NDArray original) {
    if (staged != original) {
      staged.close();
    }
  }

  private <T> T run(String op, Supplier<T> body) {
    if (closed) {
      throw new CommException("rank " + rank + ": " + op + " on a closed communicator");
    }
    if (broken != null) {
      throw new CommException(
          "rank " + rank + ": " + op + " refused after an earlier failure: " + broken.getMessage(),
          broken);
    }
    try {
      driver.checkHealthy();
      driver.queue().enter();
      return body.get();
    } catch (CommException e) {
      broken = e;
      throw e;
    }
  }

  /** A receive buffer on this rank's GPU (DJL cannot make a bfloat16 one: it aborts). */
  private NDArray empty(NDManager manager, Shape shape, DataType type) {
    return type == DataType.BFLOAT16
        ? Aten.empty(manager, shape, type, device)
        : manager.create(shape, type, device);
  }

  private int typeOf(NDArray x, String op) {
    return NcclDataType.of(Aten.dtype(checkDevice(x, op))).code();
  }

  private NDArray checkDevice(NDArray x, String op) {
    if (!device.equals(x.getDevice())) {
      throw new IllegalArgumentException(
          op
              + ": rank "
              + rank
              + "'s nccl communicator moves tensors on "
              + device
              + ", got one on "
              + x.getDevice());
    }
    return x;
  }

  private long comm() {
    return driver.comm();
  }

  private long stream() {
    return driver.queue().stream();
  }

  /** One NCCL call on the input and output addresses. */
  @FunctionalInterface
  private interface Call {
    int run(long in, long out);
  }
}
