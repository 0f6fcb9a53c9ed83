package ai.llep.comm.nccl;

import ai.llep.comm.CommException;
import ai.llep.runtime.RendezvousStore;
import ai.llep.runtime.WorldInfo;
import java.time.Duration;

/**
 * Shares NCCL's unique id through the job's rendezvous store: rank 0 makes it and sets it, the
 * others wait for it. Each rank counts the communicators it has built, so the n-th communicator of
 * every rank uses the n-th id.
 */
final class UniqueIdExchange {
  private UniqueIdExchange() {}

  static byte[] exchange(NcclApi nccl, WorldInfo world, RendezvousStore store, Duration timeout) {
    long generation = store.add("llep/nccl/instances/rank" + world.rank(), 1);
    String key = "llep/nccl/" + generation + "/unique-id";
    if (world.rank() == 0) {
      byte[] id = nccl.uniqueId();
      store.set(key, id);
      return id;
    }
    byte[] id = store.get(key, timeout);
    if (id.length != NcclLibrary.UNIQUE_ID_BYTES) {
      throw new CommException(
          "rank "
              + world.rank()
              + ": the NCCL unique id in the store has "
              + id.length
              + " bytes, expected "
              + NcclLibrary.UNIQUE_ID_BYTES);
    }
    return id;
  }
}
