package ai.llep.comm.tcp;

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
import ai.llep.comm.ReduceOp;
import ai.llep.comm.SendRecvBatch;
import ai.llep.runtime.RendezvousStore;
import ai.llep.runtime.WorldInfo;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.Function;

/**
 * A {@link Communicator} over a full mesh of authenticated TCP connections, for CPU ranks in
 * development, CI and tests. Every collective moves whole tensors (dtype, shape, raw bytes); an
 * all-reduce gathers every rank's input and reduces in rank order, so all ranks get the same bits
 * as a direct sequential computation. NOTE: that costs (P - 1) copies of the input per rank, fine
 * for the sizes this backend serves.
 *
 * <p>Each message carries its operation and a sequence number (the collective's number, or the
 * per-peer number of point-to-point messages), so ranks that call collectives in different orders
 * get a {@link CommException} describing the mismatch instead of wrong data. After any {@link
 * CommException} the communicator refuses further calls.
 *
 * <p>Not thread-safe: one thread per rank calls the collectives.
 */
public final class TcpCommunicator implements Communicator {
  private final int rank;
  private final int worldSize;
  private final Duration timeout;
  private final Mesh mesh;
  private final long[] p2pSent;
  private final long[] p2pReceived;
  private long collectives;
  private CommException broken;
  private volatile boolean closed;

  private TcpCommunicator(WorldInfo world, Duration timeout, Mesh mesh) {
    this.rank = world.rank();
    this.worldSize = world.worldSize();
    this.timeout = timeout;
    this.mesh = mesh;
    this.p2pSent = new long[worldSize];
    this.p2pReceived = new long[worldSize];
  }

  /**
   * Builds the mesh: every rank must call this with the same store, in the same order relative to
   * other communicators built on that store. Blocks until all peers are connected or {@code
   * options.connectTimeout()} passes.
   */
  public static TcpCommunicator create(
      WorldInfo world, RendezvousStore store, byte[] secret, TcpOptions options) {
    Mesh mesh = world.worldSize() == 1 ? null : Mesh.build(world, store, secret, options);
    return new TcpCommunicator(world, options.timeout(), mesh);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return worldSize;
  }

  @Override
  public NDArray allGather(NDArray x) {
    checkGather(x);
    return run(
        OpKind.ALL_GATHER,
        ex -> {
          ByteBuffer all = gather(ex, x);
          return create(x.getManager(), all, prepend(worldSize, x.getShape()), Aten.dtype(x));
        });
  }

  @Override
  public NDArray allReduce(NDArray x, ReduceOp reduce) {
    checkGather(x);
    return run(
        OpKind.ALL_REDUCE,
        ex -> {
          if (worldSize == 1) {
            return x.duplicate();
          }
          ByteBuffer all = gather(ex, x);
          try (NDManager scratch = x.getManager().newSubManager()) {
            NDArray stacked = create(scratch, all, prepend(worldSize, x.getShape()), Aten.dtype(x));
            NDArray acc = stacked.get(0);
            for (int p = 1; p < worldSize; p++) {
              NDArray next = stacked.get(p);
              acc = reduce == ReduceOp.SUM ? acc.add(next) : acc.maximum(next);
            }
            acc.attach(x.getManager());
            return acc;
          }
        });
  }

  @Override
  public NDArray allToAllV(NDArray x, long[] sendRows, long[] recvRows) {
    RowSplits splits = RowSplits.of(rank, worldSize, x, sendRows, recvRows);
    return run(
        OpKind.ALL_TO_ALL_V,
        ex -> {
          ByteBuffer mine = bytesOf(x);
          ex.expectFromEveryPeer();
          for (int i = 1; i < worldSize; i++) {
            int peer = (rank + i) % worldSize;
            ex.send(peer, splits.sendShape(peer), Aten.dtype(x), splits.sendSlice(mine, peer));
          }
          ex.finishSends();
          ByteBuffer out = direct(splits.recvBytes());
          for (int peer = 0; peer < worldSize; peer++) {
            out.put(
                peer == rank
                    ? splits.sendSlice(mine, rank)
                    : ex.receive(peer, splits.recvShape(peer), Aten.dtype(x)).data());
          }
          return create(x.getManager(), out.flip(), splits.resultShape(), Aten.dtype(x));
        });
  }

  @Override
  public NDList sendRecv(List<PeerSend> sends, List<PeerRecv> recvs, NDManager manager) {
    SendRecvBatch.validate(rank, worldSize, sends, recvs, WireDType::of);
    return run(
        OpKind.SEND_RECV,
        ex -> {
          recvs.forEach(r -> ex.expectFrom(r.peer()));
          ArrayDeque<ByteBuffer> toSelf = new ArrayDeque<>();
          for (PeerSend s : sends) {
            ByteBuffer data = bytesOf(s.tensor());
            if (s.peer() == rank) {
              toSelf.add(data);
            } else {
              NDArray t = s.tensor();
              ex.sendTagged(s.peer(), p2pSent[s.peer()]++, t.getShape(), Aten.dtype(t), data);
            }
          }
          ex.finishSends();
          NDList received = new NDList(recvs.size());
          for (PeerRecv r : recvs) {
            ByteBuffer data =
                r.peer() == rank
                    ? toSelf.removeFirst()
                    : ex.receiveP2p(r.peer(), p2pReceived[r.peer()]++, r.shape(), r.dataType())
                        .data();
            received.add(create(manager, data, r.shape(), r.dataType()));
          }
          return received;
        });
  }

  @Override
  public NDArray broadcast(NDArray x, int root) {
    WireDType.of(Aten.dtype(x));
    if (root < 0 || root >= worldSize) {
      throw new IllegalArgumentException(
          "broadcast root must be in [0, " + worldSize + "), got " + root);
    }
    return run(
        OpKind.BROADCAST,
        ex -> {
          if (rank == root) {
            ByteBuffer mine = bytesOf(x);
            for (int i = 1; i < worldSize; i++) {
              ex.send((rank + i) % worldSize, x.getShape(), Aten.dtype(x), mine);
            }
            ex.finishSends();
            return x.duplicate();
          }
          ex.expectFrom(root);
          WireTensor m = ex.receive(root, x.getShape(), Aten.dtype(x));
          return create(x.getManager(), m.data(), x.getShape(), Aten.dtype(x));
        });
  }

  @Override
  public void barrier() {
    run(
        OpKind.BARRIER,
        ex -> {
          Shape empty = new Shape(0);
          ex.expectFromEveryPeer();
          for (int i = 1; i < worldSize; i++) {
            ex.send((rank + i) % worldSize, empty, DataType.UINT8, ByteBuffer.allocate(0));
          }
          ex.finishSends();
          for (int peer = 0; peer < worldSize; peer++) {
            if (peer != rank) {
              ex.receive(peer, empty, DataType.UINT8);
            }
          }
          return null;
        });
  }

  /** Where this rank accepts its peers (null in a world of one). */
  InetSocketAddress listenAddress() {
    return mesh == null ? null : mesh.address();
  }

  @Override
  public void close() {
    closed = true;
    if (mesh != null) {
      mesh.close();
    }
  }

  private <T> T run(OpKind kind, Function<Exchange, T> body) {
    if (closed) {
      throw new CommException("rank " + rank + ": " + kind + " on a closed communicator");
    }
    if (broken != null) {
      throw new CommException(
          "rank "
              + rank
              + ": "
              + kind
              + " refused after an earlier failure: "
              + broken.getMessage(),
          broken);
    }
    long seq = kind == OpKind.SEND_RECV ? 0 : ++collectives;
    try {
      return body.apply(new Exchange(mesh, rank, worldSize, kind, seq, timeout));
    } catch (CommException e) {
      broken = e;
      throw e;
    }
  }

  /** Sends {@code x} to every peer and returns all ranks' bytes, in rank order. */
  private ByteBuffer gather(Exchange ex, NDArray x) {
    ByteBuffer mine = bytesOf(x);
    ex.expectFromEveryPeer();
    for (int i = 1; i < worldSize; i++) {
      ex.send((rank + i) % worldSize, x.getShape(), Aten.dtype(x), mine);
    }
    ex.finishSends();
    ByteBuffer all = direct((long) worldSize * mine.remaining());
    for (int peer = 0; peer < worldSize; peer++) {
      all.put(
          peer == rank ? mine.duplicate() : ex.receive(peer, x.getShape(), Aten.dtype(x)).data());
    }
    return all.flip();
  }

  private void checkGather(NDArray x) {
    long bytes = x.size() * WireDType.of(Aten.dtype(x)).dataType().getNumOfBytes();
    if (bytes * worldSize > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "gathering "
              + worldSize
              + " x "
              + bytes
              + " bytes exceeds the 2 GiB limit of one tensor");
    }
  }

  /**
   * The array's bytes in native order, position 0 (a copy, off the device if needed). DJL cannot
   * copy a bfloat16 array off a device (its cast aborts), so bfloat16 leaves as float16 bits.
   */
  private static ByteBuffer bytesOf(NDArray x) {
    if (WireDType.of(Aten.dtype(x)) == WireDType.BFLOAT16) {
      try (NDArray bits = Aten.reinterpret(x, DataType.FLOAT16)) {
        return bits.toByteBuffer().order(ByteOrder.nativeOrder());
      }
    }
    return x.toByteBuffer().order(ByteOrder.nativeOrder());
  }

  private static ByteBuffer direct(long bytes) {
    if (bytes > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "a result of " + bytes + " bytes exceeds the 2 GiB limit of one tensor transfer");
    }
    return ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
  }

  /**
   * A tensor that owns a copy of {@code data}. DJL's create wraps a direct buffer without copying
   * and keeps the buffer alive only through that one Java object: a view of it, or a gradient
   * autograd steals from it (AccumulateGrad keeps an incoming gradient as a leaf's .grad), would
   * outlive the buffer and read freed memory.
   */
  private static NDArray create(NDManager manager, ByteBuffer data, Shape shape, DataType type) {
    if (type == DataType.BFLOAT16) {
      // DJL aborts on creating bfloat16: the bits arrive as float16 and are seen as bfloat16.
      try (NDArray wrapped = manager.create(data, shape, DataType.FLOAT16);
          NDArray copy = wrapped.duplicate()) {
        return Aten.reinterpret(copy, DataType.BFLOAT16);
      }
    }
    try (NDArray wrapped = manager.create(data, shape, type)) {
      return wrapped.duplicate();
    }
  }

  static Shape prepend(long first, Shape rest) {
    return new Shape(first).addAll(rest);
  }

  static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
  }
}
