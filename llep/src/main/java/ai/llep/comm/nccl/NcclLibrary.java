package ai.llep.comm.nccl;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import ai.llep.comm.CommException;
import ai.llep.device.CString;
import ai.llep.device.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import java.util.Map;

/**
 * NCCL's C functions through {@code java.lang.foreign}: every NCCL downcall of the project. Types
 * follow NCCL's public header: results and enums are C ints, {@code size_t} a long, {@code
 * ncclComm_t} and {@code cudaStream_t} pointers, and {@code ncclUniqueId} a 128-byte struct passed
 * by value.
 */
final class NcclLibrary implements NcclApi {
  /** Environment variable naming the NCCL library when the config does not. */
  static final String LIBRARY_ENV = "LLEP_NCCL_LIBRARY";

  static final List<String> NAMES = List.of("libnccl.so.2", "libnccl.so");
  static final int UNIQUE_ID_BYTES = 128;
  static final StructLayout UNIQUE_ID =
      MemoryLayout.structLayout(
              MemoryLayout.sequenceLayout(UNIQUE_ID_BYTES, JAVA_BYTE).withName("internal"))
          .withName("ncclUniqueId");

  /**
   * {@code ncclConfig_t} as NCCL 2.14 declared it. Later versions copy {@code size} bytes of a
   * config and take defaults for every field newer than its {@code version}, so this prefix stays
   * valid; {@code NCCL_COMM_BLOCKING=1} in the environment still forces a blocking communicator.
   */
  static final StructLayout CONFIG_2_14 =
      MemoryLayout.structLayout(
              JAVA_LONG.withName("size"),
              JAVA_INT.withName("magic"),
              JAVA_INT.withName("version"),
              JAVA_INT.withName("blocking"),
              MemoryLayout.paddingLayout(4))
          .withName("ncclConfig_t");

  static final int CONFIG_MAGIC = 0xcafebeef;
  static final int CONFIG_VERSION = 21400;

  private final NativeLibrary library;
  private final MethodHandle getVersion;
  private final MethodHandle getUniqueId;
  private final MethodHandle commInitRank;
  private final MethodHandle commInitRankConfig;
  private final MethodHandle commFinalize;
  private final MethodHandle commDestroy;
  private final MethodHandle commAbort;
  private final MethodHandle commGetAsyncError;
  private final MethodHandle getErrorString;
  private final MethodHandle getLastError;
  private final MethodHandle allGather;
  private final MethodHandle allReduce;
  private final MethodHandle broadcast;
  private final MethodHandle send;
  private final MethodHandle recv;
  private final MethodHandle groupStart;
  private final MethodHandle groupEnd;

  private NcclLibrary(NativeLibrary library) {
    this.library = library;
    FunctionDescriptor ofComm = FunctionDescriptor.of(JAVA_INT, ADDRESS);
    getVersion = library.downcall("ncclGetVersion", ofComm);
    getUniqueId = library.downcall("ncclGetUniqueId", ofComm);
    commInitRank =
        library.downcall(
            "ncclCommInitRank",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT));
    commInitRankConfig =
        optional(
            "ncclCommInitRankConfig",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, UNIQUE_ID, JAVA_INT, ADDRESS));
    commFinalize = optional("ncclCommFinalize", ofComm);
    commDestroy = library.downcall("ncclCommDestroy", ofComm);
    commAbort = library.downcall("ncclCommAbort", ofComm);
    commGetAsyncError =
        library.downcall(
            "ncclCommGetAsyncError", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    getErrorString =
        library.downcall("ncclGetErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    getLastError = optional("ncclGetLastError", FunctionDescriptor.of(ADDRESS, ADDRESS));
    allGather =
        library.downcall(
            "ncclAllGather",
            FunctionDescriptor.of(
                JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
    allReduce =
        library.downcall(
            "ncclAllReduce",
            FunctionDescriptor.of(
                JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    broadcast =
        library.downcall(
            "ncclBroadcast",
            FunctionDescriptor.of(
                JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    FunctionDescriptor p2p =
        FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    send = library.downcall("ncclSend", p2p);
    recv = library.downcall("ncclRecv", p2p);
    groupStart = library.downcall("ncclGroupStart", FunctionDescriptor.of(JAVA_INT));
    groupEnd = library.downcall("ncclGroupEnd", FunctionDescriptor.of(JAVA_INT));
  }

  /**
   * Opens NCCL: {@code configured} when set (the config key {@code comm.nccl-library}), else the
   * library named by {@value #LIBRARY_ENV}, else {@code libnccl.so.2} by name.
   *
   * @throws IllegalStateException naming every library tried and why it failed
   */
  static NcclLibrary load(String configured) {
    return new NcclLibrary(
        NativeLibrary.open("the NCCL library", candidates(configured, System.getenv())));
  }

  static List<String> candidates(String configured, Map<String, String> env) {
    String override =
        configured != null && !configured.isBlank() ? configured : env.get(LIBRARY_ENV);
    return NativeLibrary.candidates(override, NAMES, List.of());
  }

  /** The library name or path that loaded. */
  String libraryName() {
    return library.name();
  }

  /** A config asking for a non-blocking communicator, in {@code arena}. */
  static MemorySegment nonBlockingConfig(Arena arena) {
    MemorySegment config = arena.allocate(CONFIG_2_14);
    config.set(JAVA_LONG, 0, CONFIG_2_14.byteSize());
    config.set(JAVA_INT, 8, CONFIG_MAGIC);
    config.set(JAVA_INT, 12, CONFIG_VERSION);
    config.set(JAVA_INT, 16, 0);
    return config;
  }

  @Override
  public int version() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment version = arena.allocate(JAVA_INT);
      require("ncclGetVersion", (int) getVersion.invokeExact(version));
      return version.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow("ncclGetVersion", t);
    }
  }

  @Override
  public byte[] uniqueId() {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment id = arena.allocate(UNIQUE_ID);
      require("ncclGetUniqueId", (int) getUniqueId.invokeExact(id));
      return id.toArray(JAVA_BYTE);
    } catch (Throwable t) {
      throw rethrow("ncclGetUniqueId", t);
    }
  }

  @Override
  public Started commInitRank(int ranks, byte[] uniqueId, int rank) {
    if (uniqueId.length != UNIQUE_ID_BYTES) {
      throw new IllegalArgumentException(
          "an NCCL unique id has " + UNIQUE_ID_BYTES + " bytes, got " + uniqueId.length);
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment comm = arena.allocate(ADDRESS);
      MemorySegment id = arena.allocate(UNIQUE_ID);
      MemorySegment.copy(uniqueId, 0, id, JAVA_BYTE, 0, UNIQUE_ID_BYTES);
      int result =
          commInitRankConfig != null
              ? (int)
                  commInitRankConfig.invokeExact(comm, ranks, id, rank, nonBlockingConfig(arena))
              : (int) commInitRank.invokeExact(comm, ranks, id, rank);
      return new Started(result, comm.get(ADDRESS, 0).address());
    } catch (Throwable t) {
      throw rethrow("ncclCommInitRank", t);
    }
  }

  @Override
  public int commFinalize(long comm) {
    if (commFinalize == null) {
      return NcclResult.SUCCESS;
    }
    return callOnComm(commFinalize, "ncclCommFinalize", comm);
  }

  @Override
  public int commDestroy(long comm) {
    return callOnComm(commDestroy, "ncclCommDestroy", comm);
  }

  @Override
  public int commAbort(long comm) {
    return callOnComm(commAbort, "ncclCommAbort", comm);
  }

  @Override
  public int asyncError(long comm) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(JAVA_INT);
      int result = (int) commGetAsyncError.invokeExact(pointer(comm), state);
      return result != NcclResult.SUCCESS ? result : state.get(JAVA_INT, 0);
    } catch (Throwable t) {
      throw rethrow("ncclCommGetAsyncError", t);
    }
  }

  @Override
  public String errorString(int result) {
    try {
      return CString.read((MemorySegment) getErrorString.invokeExact(result));
    } catch (Throwable t) {
      throw rethrow("ncclGetErrorString", t);
    }
  }

  @Override
  public String lastError(long comm) {
    if (getLastError == null) {
      return "";
    }
    try {
      return CString.read((MemorySegment) getLastError.invokeExact(pointer(comm)));
    } catch (Throwable t) {
      throw rethrow("ncclGetLastError", t);
    }
  }

  @Override
  public int allGather(long send, long recv, long count, int dataType, long comm, long stream) {
    try {
      return (int)
          allGather.invokeExact(
              pointer(send), pointer(recv), count, dataType, pointer(comm), pointer(stream));
    } catch (Throwable t) {
      throw rethrow("ncclAllGather", t);
    }
  }

  @Override
  public int allReduce(
      long send, long recv, long count, int dataType, int op, long comm, long stream) {
    try {
      return (int)
          allReduce.invokeExact(
              pointer(send), pointer(recv), count, dataType, op, pointer(comm), pointer(stream));
    } catch (Throwable t) {
      throw rethrow("ncclAllReduce", t);
    }
  }

  @Override
  public int broadcast(
      long send, long recv, long count, int dataType, int root, long comm, long stream) {
    try {
      return (int)
          broadcast.invokeExact(
              pointer(send), pointer(recv), count, dataType, root, pointer(comm), pointer(stream));
    } catch (Throwable t) {
      throw rethrow("ncclBroadcast", t);
    }
  }

  @Override
  public int send(long buffer, long count, int dataType, int peer, long comm, long stream) {
    try {
      return (int)
          send.invokeExact(pointer(buffer), count, dataType, peer, pointer(comm), pointer(stream));
    } catch (Throwable t) {
      throw rethrow("ncclSend", t);
    }
  }

  @Override
  public int recv(long buffer, long count, int dataType, int peer, long comm, long stream) {
    try {
      return (int)
          recv.invokeExact(pointer(buffer), count, dataType, peer, pointer(comm), pointer(stream));
    } catch (Throwable t) {
      throw rethrow("ncclRecv", t);
    }
  }

  @Override
  public int groupStart() {
    try {
      return (int) groupStart.invokeExact();
    } catch (Throwable t) {
      throw rethrow("ncclGroupStart", t);
    }
  }

  @Override
  public int groupEnd() {
    try {
      return (int) groupEnd.invokeExact();
    } catch (Throwable t) {
      throw rethrow("ncclGroupEnd", t);
    }
  }

  private MethodHandle optional(String symbol, FunctionDescriptor descriptor) {
    return library.has(symbol) ? library.downcall(symbol, descriptor) : null;
  }

  private static int callOnComm(MethodHandle handle, String name, long comm) {
    try {
      return (int) handle.invokeExact(pointer(comm));
    } catch (Throwable t) {
      throw rethrow(name, t);
    }
  }

  private void require(String call, int result) {
    if (result != NcclResult.SUCCESS) {
      throw new CommException(
          call + " failed: " + NcclResult.name(result) + " (" + errorString(result) + ")");
    }
  }

  private static MemorySegment pointer(long address) {
    return MemorySegment.ofAddress(address);
  }

  private static RuntimeException rethrow(String call, Throwable t) {
    if (t instanceof RuntimeException e) {
      return e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    return new CommException(call + " could not be called: " + t, t);
  }
}
