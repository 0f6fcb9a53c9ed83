package ai.llep.trainer.optim;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs a sharded optimizer test on P ranks in this JVM, each given its {@link RankParams}. */
final class ShardingWorld {
  private ShardingWorld() {}

  /** What one rank runs. */
  interface RankBody<T> {
    T run(int rank, Communicator comm, NDManager manager, RankParams params) throws Exception;
  }

  /** Each rank's value, in rank order; a rank's failure fails the test. */
  static <T> List<T> run(int world, RankBody<T> body) throws Exception {
    TcpOptions tcp = new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(20), "");
    try (LocalWorld ranks = LocalWorld.start(world, tcp)) {
      List<LocalWorld.Outcome<T>> outcomes =
          ranks.run(
              (rank, comm, manager) ->
                  body.run(rank, comm, manager, RankParams.create(manager, rank)));
      List<T> values = new ArrayList<>();
      for (int rank = 0; rank < world; rank++) {
        LocalWorld.Outcome<T> outcome = outcomes.get(rank);
        if (outcome.error() != null) {
          throw new AssertionError("rank " + rank + " failed", outcome.error());
        }
        values.add(outcome.value());
      }
      return values;
    }
  }
}
