package ai.llep.comm.nccl;

/**
 * The NCCL functions the communicator uses, one method per C function, pointers as addresses.
 * Methods return NCCL's result code unless stated; they never throw for a non-zero code, because
 * the communicator decides what each code means ({@link NcclResult#IN_PROGRESS} is not a failure on
 * a non-blocking communicator).
 */
interface NcclApi {
  /** The result of starting a communicator, and its handle (0 when none was made). */
  record Started(int result, long comm) {}

  /** {@code ncclGetVersion}, e.g. 22803 for 2.28.3; throws when the call fails. */
  int version();

  /** {@code ncclGetUniqueId}: the 128 bytes that rank 0 shares; throws when the call fails. */
  byte[] uniqueId();

  /**
   * {@code ncclCommInitRankConfig} with a non-blocking config, or {@code ncclCommInitRank} where
   * the library predates configs.
   */
  Started commInitRank(int ranks, byte[] uniqueId, int rank);

  int commFinalize(long comm);

  int commDestroy(long comm);

  int commAbort(long comm);

  /**
   * The communicator's state from {@code ncclCommGetAsyncError}: success, in progress, or the
   * asynchronous error; a failing query itself returns its own code.
   */
  int asyncError(long comm);

  /** {@code ncclGetErrorString}. */
  String errorString(int result);

  /** {@code ncclGetLastError}: NCCL's description of the last error on this thread or comm. */
  String lastError(long comm);

  int allGather(long send, long recv, long count, int dataType, long comm, long stream);

  int allReduce(long send, long recv, long count, int dataType, int op, long comm, long stream);

  int broadcast(long send, long recv, long count, int dataType, int root, long comm, long stream);

  int send(long buffer, long count, int dataType, int peer, long comm, long stream);

  int recv(long buffer, long count, int dataType, int peer, long comm, long stream);

  int groupStart();

  int groupEnd();
}
