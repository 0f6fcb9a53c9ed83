package ai.llep.comm.nccl;

import ai.llep.comm.CommException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;

/**
 * One NCCL communicator handle and the watchdog around every call on it. A call is queued, then
 * awaited by polling until a deadline: the communicator's asynchronous error state (a peer that
 * died, a network error) and the device fence after the queued work. On an error or at the deadline
 * the communicator is aborted ({@code ncclCommAbort} stops its kernels, so the device is not left
 * waiting for a dead peer) and the call throws a {@link CommException} naming the operation; the
 * handle is then gone and every later call is refused by the communicator.
 */
final class NcclDriver {
  /** Polls spin this long before parking, so that small collectives return quickly. */
  private static final long SPIN_NANOS = 20_000;

  private static final long MAX_PARK_NANOS = 200_000;

  private final NcclApi nccl;
  private final DeviceQueue queue;
  private final int rank;
  private final long comm;
  private final Duration timeout;
  private boolean aborted;

  private NcclDriver(NcclApi nccl, DeviceQueue queue, int rank, long comm, Duration timeout) {
    this.nccl = nccl;
    this.queue = queue;
    this.rank = rank;
    this.comm = comm;
    this.timeout = timeout;
  }

  /**
   * Creates the communicator of {@code rank} and waits, up to {@code connectTimeout}, until NCCL
   * has connected it to every peer.
   */
  static NcclDriver start(
      NcclApi nccl,
      DeviceQueue queue,
      int rank,
      int worldSize,
      byte[] uniqueId,
      Duration timeout,
      Duration connectTimeout) {
    long deadline = System.nanoTime() + connectTimeout.toNanos();
    queue.enter();
    NcclApi.Started started = nccl.commInitRank(worldSize, uniqueId, rank);
    if (NcclResult.isError(started.result())) {
      String detail = started.comm() == 0 ? "" : nccl.lastError(started.comm());
      if (started.comm() != 0) {
        nccl.commAbort(started.comm());
      }
      throw new CommException(
          describe(nccl, "rank " + rank + ": ncclCommInitRank failed", started.result(), detail));
    }
    NcclDriver driver = new NcclDriver(nccl, queue, rank, started.comm(), timeout);
    driver.poll("NCCL initialisation", deadline, connectTimeout, s -> s == NcclResult.SUCCESS);
    return driver;
  }

  /** The deadline of an operation that starts now. */
  long deadline() {
    return System.nanoTime() + timeout.toNanos();
  }

  DeviceQueue queue() {
    return queue;
  }

  long comm() {
    return comm;
  }

  /** Queues one NCCL call; on a non-blocking communicator, waits until NCCL has queued it. */
  void call(String op, long deadline, IntSupplier call) {
    settle(op, deadline, call.getAsInt());
  }

  /**
   * Queues {@code posts} as one NCCL group (point-to-point calls that must be issued together). The
   * group is closed even when a post fails, as NCCL requires.
   */
  void group(String op, long deadline, List<IntSupplier> posts) {
    if (posts.isEmpty()) {
      return;
    }
    int start = nccl.groupStart();
    if (NcclResult.isError(start)) {
      throw fail(op, start);
    }
    int firstError = NcclResult.SUCCESS;
    for (IntSupplier post : posts) {
      int result = post.getAsInt();
      if (NcclResult.isError(result)) {
        firstError = result;
        break;
      }
    }
    int end = nccl.groupEnd();
    if (firstError != NcclResult.SUCCESS) {
      throw fail(op, firstError);
    }
    settle(op, deadline, end);
  }

  /** Waits until the device has finished everything queued so far. */
  void complete(String op, long deadline) {
    queue.fence();
    poll(op, deadline, timeout, s -> queue.fenceReached());
  }

  /**
   * Releases the communicator: finalize (flushing its work) and destroy, or abort when that does
   * not finish within {@code limit} or after a failure.
   */
  void shutdown(Duration limit) {
    if (aborted) {
      return;
    }
    queue.enter();
    long deadline = System.nanoTime() + limit.toNanos();
    settle("shutdown", deadline, nccl.commFinalize(comm));
    poll("shutdown", deadline, limit, s -> s == NcclResult.SUCCESS);
    int destroyed = nccl.commDestroy(comm);
    aborted = true;
    if (NcclResult.isError(destroyed)) {
      throw new CommException(
          describe(nccl, "rank " + rank + ": ncclCommDestroy failed", destroyed, ""));
    }
  }

  boolean aborted() {
    return aborted;
  }

  private void settle(String op, long deadline, int result) {
    if (result == NcclResult.IN_PROGRESS) {
      poll(op, deadline, timeout, s -> s == NcclResult.SUCCESS);
    } else if (result != NcclResult.SUCCESS) {
      throw fail(op, result);
    }
  }

  /** Polls the communicator's state until {@code ready}, an error, or the deadline. */
  private void poll(String op, long deadline, Duration limit, IntPredicate ready) {
    long started = System.nanoTime();
    long park = 1_000;
    while (true) {
      int state = nccl.asyncError(comm);
      if (NcclResult.isError(state)) {
        throw fail(op, state);
      }
      if (ready.test(state)) {
        return;
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        abort();
        throw new CommException(
            "rank "
                + rank
                + ": "
                + op
                + " timed out after "
                + format(limit)
                + ": a peer died, stopped answering or called another collective; the NCCL"
                + " communicator was aborted");
      }
      if (now - started < SPIN_NANOS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(park);
        park = Math.min(MAX_PARK_NANOS, park * 2);
      }
    }
  }

  /** Aborts the communicator and describes the failure with NCCL's own words. */
  private CommException fail(String op, int result) {
    String detail = aborted ? "" : nccl.lastError(comm);
    abort();
    return new CommException(
        describe(nccl, "rank " + rank + ": " + op + " failed in NCCL", result, detail));
  }

  void abort() {
    if (!aborted) {
      aborted = true;
      nccl.commAbort(comm);
    }
  }

  static String describe(NcclApi nccl, String what, int result, String detail) {
    String text = what + ": " + NcclResult.name(result) + " (" + nccl.errorString(result) + ")";
    return detail == null || detail.isBlank() ? text : text + ": " + detail.strip();
  }

  static String format(Duration duration) {
    long millis = duration.toMillis();
    return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
  }
}
