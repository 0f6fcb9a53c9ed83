package ai.llep.trainer.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ai.llep.comm.tcp.LocalWorld;
import ai.llep.comm.tcp.TcpOptions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The end-of-step reduction: one rank's stop vote reaches every rank, with the step's totals. */
class StepTotalsTest {
  @Test
  void everyRankSeesTheStopVoteOfAnyRankAndTheLargestMemory() throws Exception {
    TcpOptions tcp = new TcpOptions(Duration.ofSeconds(30), Duration.ofSeconds(20), "");
    try (LocalWorld world = LocalWorld.start(3, tcp)) {
      List<LocalWorld.Outcome<StepTotals>> outcomes =
          world.run(
              (rank, comm, manager) ->
                  StepTotals.reduce(
                      comm, manager, 1.5 * rank, 100 + rank, rank == 1, (rank + 1L) << 33));
      for (LocalWorld.Outcome<StepTotals> outcome : outcomes) {
        assertNull(outcome.error());
        assertEquals(new StepTotals(4.5, 303, true, 3L << 33), outcome.value());
      }
      List<LocalWorld.Outcome<StepTotals>> calm =
          world.run((rank, comm, manager) -> StepTotals.reduce(comm, manager, 0, 1, false, 7));
      calm.forEach(o -> assertEquals(new StepTotals(0, 3, false, 7), o.value()));
    }
  }
}
