package ai.llep.comm.tcp;

import static ai.llep.comm.TestTensors.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.comm.PeerRecv;
import ai.llep.comm.PeerSend;
import ai.llep.comm.TestTensors;
import java.net.ProtocolException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every PyTorch dtype, scalars, empty and strided arrays survive the wire; headers are checked. */
class WireTensorTest {
  private static final DataType[] ALL = {
    DataType.FLOAT32, DataType.FLOAT16, DataType.FLOAT64, DataType.INT8,
    DataType.UINT8, DataType.INT32, DataType.INT64, DataType.BOOLEAN
  };
  private static final Shape[] SHAPES = {
    new Shape(), new Shape(0), new Shape(3, 0, 2), new Shape(2, 3)
  };

  @Test
  void everyDtypeAndShapeCrossesBetweenRanks() throws Exception {
    try (LocalWorld world = LocalWorld.start(2, LocalWorld.options(Duration.ofSeconds(20)))) {
      world.runAll(
          (rank, comm, manager) -> {
            int peer = 1 - rank;
            for (DataType type : ALL) {
              for (Shape shape : SHAPES) {
                long seed = type.ordinal() * 10L + shape.dimension();
                NDArray mine = TestTensors.random(manager, type, shape, seed + rank);
                NDList got =
                    comm.sendRecv(
                        List.of(new PeerSend(peer, mine)),
                        List.of(new PeerRecv(peer, shape, type)),
                        manager);
                NDArray theirs = TestTensors.random(manager, type, shape, seed + peer);
                assertSameBits(theirs, got.singletonOrThrow(), type + " " + shape);
                for (int root = 0; root < 2; root++) {
                  NDArray expected = root == rank ? mine : theirs;
                  assertSameBits(expected, comm.broadcast(mine, root), "broadcast " + type);
                }
              }
            }
            NDArray strided = manager.arange(12f).reshape(3, 4).transpose();
            NDArray gathered = comm.allGather(strided);
            assertSameBits(strided, gathered.get(rank), "transposed input");
            return null;
          });
    }
  }

  @Test
  void oneRankResultsAreCopies() throws Exception {
    try (LocalWorld world = LocalWorld.start(1, LocalWorld.options(Duration.ofSeconds(5)));
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      TcpCommunicator comm = world.comm(0);
      NDArray x = manager.create(new float[] {1, 2});
      NDArray summed = comm.allReduce(x, ai.llep.comm.ReduceOp.SUM);
      NDArray root = comm.broadcast(x, 0);
      assertNotSame(x, summed);
      x.addi(1);
      assertEquals(1f, summed.getFloat(0));
      assertEquals(1f, root.getFloat(0));
    }
  }

  @Test
  void bigEndianSendersAreSwapped() throws Exception {
    ByteBuffer header =
        WireTensor.header(OpKind.BROADCAST, 3, DataType.INT32, new Shape(2)).duplicate();
    ByteBuffer payload = ByteBuffer.allocate(header.remaining() + 8);
    payload.put(header);
    payload.put(10, (byte) 1); // byte-order flag: big-endian sender
    payload.order(ByteOrder.BIG_ENDIAN).putInt(7).putInt(-2).flip();
    WireTensor decoded = WireTensor.decode(payload);
    ByteBuffer data = decoded.data().order(ByteOrder.nativeOrder());
    if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
      assertEquals(7, data.getInt(0));
      assertEquals(-2, data.getInt(4));
    }
    assertEquals(OpKind.BROADCAST, decoded.op());
    assertEquals(3, decoded.seq());
  }

  @Test
  void malformedHeadersAreRejected() {
    ByteBuffer header = WireTensor.header(OpKind.BARRIER, 1, DataType.FLOAT32, new Shape(2));
    ByteBuffer shortData = ByteBuffer.allocate(header.remaining() + 4).put(header.duplicate());
    shortData.position(shortData.capacity()).flip();
    var e = assertThrows(ProtocolException.class, () -> WireTensor.decode(shortData));
    assertEquals("tensor frame carries 4 data bytes, its shape needs 8", e.getMessage());
    ByteBuffer badType = header.duplicate();
    badType.put(9, (byte) 99);
    e = assertThrows(ProtocolException.class, () -> WireTensor.decode(badType));
    assertEquals("tensor frame has a malformed header", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> WireTensor.header(OpKind.BARRIER, 1, DataType.UINT16, new Shape(1)));
  }
}
