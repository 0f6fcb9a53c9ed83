package ai.llep.comm.nccl;

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

/** Runs one thread per GPU rank in this JVM, sharing one in-memory rendezvous store. */
public final class GpuRanks {
  /** What one rank runs, given its place in the world and the shared store. */
  public interface Rank {
    void run(WorldInfo world, RendezvousStore store) throws Exception;
  }

  private GpuRanks() {}

  public static void run(int size, Duration limit, Rank body) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(size);
    try (RendezvousStore store =
        Rendezvous.open(
            WorldInfo.single(), JobSecret.parse(JobSecret.generateHex()), Duration.ofSeconds(30))) {
      List<Future<?>> ranks = new ArrayList<>();
      for (int r = 0; r < size; r++) {
        WorldInfo world = new WorldInfo(r, r, size, size, "127.0.0.1", 1);
        ranks.add(
            pool.submit(
                () -> {
                  body.run(world, store);
                  return null;
                }));
      }
      for (Future<?> rank : ranks) {
        rank.get(limit.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
