package ai.llep.comm.nccl;

import ai.llep.comm.CommException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntPredicate;
import java.util.function.IntSupplier;

/**
 * One NCCL communicator handle and the watchdog around every operation on it.
 *
 * <p>An operation is either awaited by its caller ({@link #complete}: polling the communicator's
 * asynchronous error state and a fence after the queued work, until a deadline) or left in flight
 * ({@link #track}): a watchdog thread then polls its fence, the error state and its deadline. On an
 * error or at a deadline the communicator is aborted ({@code ncclCommAbort} stops its kernels, so
 * neither the device nor a host copy waiting behind them is left waiting for a dead peer) and the
 * failure, naming the operation, is thrown by the waiting call or, for work in flight, by the
 * communicator's next call. Every NCCL call and the abort hold one lock, so the handle is never
 * used while or after it is freed.
 */
final class NcclDriver {
  /**
   * Polls spin this long before parking: a waiting collective returns within microseconds of its
   * end, where a park would add up to {@link #MAX_PARK_NANOS} to every MoE layer's count exchange.
   */
  private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private static final long MAX_PARK_NANOS = 200_000;
  private static final long WATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final NcclApi nccl;
  private final DeviceQueue queue;
  private final int rank;
  private final long comm;
  private final Duration timeout;
  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
  private volatile boolean aborted;
  private volatile boolean stopped;
  private volatile CommException failure;
  private Thread watchdog;

  /** An operation left running on the device. */
  private record InFlight(String op, DeviceQueue.Fence fence, long deadline) {}

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
    driver.startWatchdog();
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

  /** Throws the failure the watchdog found in work left in flight, if any. */
  void checkHealthy() {
    CommException found = failure;
    if (found != null) {
      throw found;
    }
  }

  /** Queues one NCCL call; on a non-blocking communicator, waits until NCCL has queued it. */
  void call(String op, long deadline, IntSupplier call) {
    settle(op, deadline, locked(op, call));
  }

  /**
   * Queues {@code posts} as one NCCL group (point-to-point calls that must be issued together). The
   * group is closed even when a post fails, as NCCL requires.
   */
  void group(String op, long deadline, List<IntSupplier> posts) {
    if (posts.isEmpty()) {
      return;
    }
    int end =
        locked(
            op,
            () -> {
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
              int closed = nccl.groupEnd();
              if (firstError != NcclResult.SUCCESS) {
                throw fail(op, firstError);
              }
              return closed;
            });
    settle(op, deadline, end);
  }

  /** Waits until the device has finished everything queued so far. */
  void complete(String op, long deadline) {
    DeviceQueue.Fence fence = queue.fence();
    try {
      poll(op, deadline, timeout, s -> fence.reached());
    } finally {
      fence.close();
    }
    retireFinished();
  }

  /** Leaves the work queued so far to the watchdog, which fails it at {@code deadline}. */
  void track(String op, long deadline) {
    track(op, deadline, queue.fence());
  }

  /** Leaves the work before {@code fence} to the watchdog, which closes the fence when done. */
  void track(String op, long deadline, DeviceQueue.Fence fence) {
    InFlight work = new InFlight(op, fence, deadline);
    lock.lock();
    try {
      inFlight.addLast(work);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Releases the communicator: finalize (flushing its work) and destroy, or abort when that does
   * not finish within {@code limit} or after a failure.
   */
  void shutdown(Duration limit) {
    stopWatchdog();
    if (aborted) {
      return;
    }
    queue.enter();
    long deadline = System.nanoTime() + limit.toNanos();
    settle("shutdown", deadline, locked("shutdown", () -> nccl.commFinalize(comm)));
    poll("shutdown", deadline, limit, s -> s == NcclResult.SUCCESS);
    lock.lock();
    try {
      int destroyed = nccl.commDestroy(comm);
      aborted = true;
      if (NcclResult.isError(destroyed)) {
        throw new CommException(
            describe(nccl, "rank " + rank + ": ncclCommDestroy failed", destroyed, ""));
      }
    } finally {
      lock.unlock();
      retireAll();
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
      checkHealthy();
      int state = locked(op, () -> nccl.asyncError(comm));
      if (NcclResult.isError(state)) {
        throw fail(op, state);
      }
      if (ready.test(state)) {
        return;
      }
      long now = System.nanoTime();
      if (now - deadline >= 0) {
        throw timedOut(op, limit);
      }
      if (now - started < SPIN_NANOS) {
        Thread.onSpinWait();
      } else {
        LockSupport.parkNanos(park);
        park = Math.min(MAX_PARK_NANOS, park * 2);
      }
    }
  }

  /** Runs one NCCL call under the lock, refusing once the handle is gone. */
  private int locked(String op, IntSupplier call) {
    lock.lock();
    try {
      if (aborted) {
        CommException found = failure;
        throw found != null
            ? found
            : new CommException("rank " + rank + ": " + op + " on an aborted NCCL communicator");
      }
      return call.getAsInt();
    } finally {
      lock.unlock();
    }
  }

  private void startWatchdog() {
    watchdog =
        Thread.ofPlatform()
            .daemon()
            .name("nccl-watchdog-rank" + rank)
            .start(
                () -> {
                  queue.enter();
                  while (!stopped && !aborted) {
                    LockSupport.parkNanos(WATCH_NANOS);
                    watchOnce();
                  }
                });
  }

  /** One look at the work in flight: retire what finished, fail on an error or a deadline. */
  private void watchOnce() {
    lock.lock();
    try {
      if (aborted) {
        return;
      }
      InFlight oldest = oldestUnfinished();
      if (oldest == null) {
        return;
      }
      int state = nccl.asyncError(comm);
      if (NcclResult.isError(state)) {
        failure = fail(oldest.op(), state);
      } else if (System.nanoTime() - oldest.deadline() >= 0) {
        failure = timedOut(oldest.op(), timeout);
      }
    } catch (RuntimeException e) {
      failure = new CommException("rank " + rank + ": the NCCL watchdog failed: " + e, e);
      abort();
    } finally {
      lock.unlock();
    }
  }

  /** Drops finished work from the front of the queue; the first unfinished, or null. */
  private InFlight oldestUnfinished() {
    InFlight oldest;
    while ((oldest = inFlight.peekFirst()) != null && oldest.fence().reached()) {
      inFlight.pollFirst().fence().close();
    }
    return oldest;
  }

  /** After a completed wait everything queued before it has finished. */
  private void retireFinished() {
    lock.lock();
    try {
      oldestUnfinished();
    } finally {
      lock.unlock();
    }
  }

  private void retireAll() {
    lock.lock();
    try {
      InFlight work;
      while ((work = inFlight.pollFirst()) != null) {
        work.fence().close();
      }
    } finally {
      lock.unlock();
    }
  }

  private void stopWatchdog() {
    stopped = true;
    Thread thread = watchdog;
    if (thread != null && thread != Thread.currentThread()) {
      LockSupport.unpark(thread);
      try {
        thread.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private CommException timedOut(String op, Duration limit) {
    abort();
    CommException e =
        new CommException(
            "rank "
                + rank
                + ": "
                + op
                + " timed out after "
                + format(limit)
                + ": a peer died, stopped answering or called another collective; the NCCL"
                + " communicator was aborted");
    failure = e;
    return e;
  }

  /** Aborts the communicator and describes the failure with NCCL's own words. */
  private CommException fail(String op, int result) {
    lock.lock();
    try {
      String detail = aborted ? "" : nccl.lastError(comm);
      abort();
      CommException e =
          new CommException(
              describe(nccl, "rank " + rank + ": " + op + " failed in NCCL", result, detail));
      failure = e;
      return e;
    } finally {
      lock.unlock();
    }
  }

  void abort() {
    lock.lock();
    try {
      if (!aborted) {
        aborted = true;
        nccl.commAbort(comm);
      }
    } finally {
      lock.unlock();
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
