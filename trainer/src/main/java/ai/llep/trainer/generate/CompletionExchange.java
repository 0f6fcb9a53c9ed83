package ai.llep.trainer.generate;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Brings every rank's completions to rank 0, in prompt order: each rank packs its own into one
 * int64 vector ({@code index, reason, prompt length, token count, prompt ids..., token ids...} per
 * completion), the lengths are all-gathered, and one all-to-all sends every vector to rank 0.
 */
final class CompletionExchange {
  private CompletionExchange() {}

  /** Collective. On rank 0 every completion sorted by index; elsewhere an empty list. */
  static List<Completion> toRankZero(Communicator comm, NDManager manager, List<Completion> mine) {
    long[] packed = pack(mine);
    int world = comm.worldSize();
    try (NDManager scope = manager.newSubManager()) {
      long[] lengths = comm.allGather(scope.create(new long[] {packed.length})).toLongArray();
      long[] send = new long[world];
      send[0] = packed.length;
      long[] recv = new long[world];
      if (comm.rank() == 0) {
        recv = lengths;
      }
      long[] received = comm.allToAllV(scope.create(packed), send, recv).toLongArray();
      if (comm.rank() != 0) {
        return List.of();
      }
      List<Completion> all = unpack(received);
      all.sort(Comparator.comparingInt(Completion::index));
      return all;
    }
  }

  static long[] pack(List<Completion> completions) {
    int size = 0;
    for (Completion c : completions) {
      size += 4 + c.promptIds().length + c.tokenIds().length;
    }
    long[] out = new long[size];
    int at = 0;
    for (Completion c : completions) {
      out[at++] = c.index();
      out[at++] = c.reason().ordinal();
      out[at++] = c.promptIds().length;
      out[at++] = c.tokenIds().length;
      for (int id : c.promptIds()) {
        out[at++] = id;
      }
      for (int id : c.tokenIds()) {
        out[at++] = id;
      }
    }
    return out;
  }

  static List<Completion> unpack(long[] packed) {
    List<Completion> out = new ArrayList<>();
    int at = 0;
    while (at < packed.length) {
      int index = Math.toIntExact(packed[at++]);
      StopReason reason = StopReason.values()[Math.toIntExact(packed[at++])];
      int[] prompt = new int[Math.toIntExact(packed[at++])];
      int[] tokens = new int[Math.toIntExact(packed[at++])];
      for (int i = 0; i < prompt.length; i++) {
        prompt[i] = Math.toIntExact(packed[at++]);
      }
      for (int i = 0; i < tokens.length; i++) {
        tokens[i] = Math.toIntExact(packed[at++]);
      }
      out.add(new Completion(index, prompt, tokens, reason));
    }
    return out;
  }
}
