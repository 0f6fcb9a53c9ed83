package ai.llep.trainer.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.llep.comm.Communicator;
import ai.llep.comm.ReduceOp;
import ai.llep.models.KvCache;
import ai.llep.models.ModelOutput;
import ai.llep.models.MoeTransformer;
import ai.llep.models.moe.RoutingStats;
import ai.llep.models.tokenizer.TextTokenizer;
import ai.llep.tape.DistributedTape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Generation on one rank, in lock step with the others. Prompt i belongs to rank {@code i % P};
 * each rank runs its prompts {@code batch-size} at a time, every rank the same number of rounds (a
 * rank short of prompts runs a one-token placeholder row), because every forward pass is a
 * collective. A round left-pads its rows to the longest prompt, runs them through the model once,
 * then feeds each row its last token, one position per step, through the key/value cache. After
 * each step one all-reduce counts the rows still running on all ranks; a rank whose rows have all
 * stopped keeps stepping (its outputs unused) until that count is zero.
 */
final class Generator {
  /** A rendered prompt: its index among all prompts and its token ids. */
  record PromptIds(int index, int[] ids) {
    PromptIds {
      if (ids.length == 0) {
        throw new IllegalArgumentException("prompt " + index + " has no tokens");
      }
    }
  }

  private final Communicator comm;
  private final NDManager manager;
  private final MoeTransformer model;
  private final TextTokenizer tokenizer;
  private final Set<Integer> eosIds;
  private final GenerateOptions options;
  private final int fillerId;
  private long spilledSlots;

  /**
   * @param fillerId the id of padding and of the rows that have stopped (any id: they are masked)
   */
  Generator(
      Communicator comm,
      NDManager manager,
      MoeTransformer model,
      TextTokenizer tokenizer,
      Set<Integer> eosIds,
      GenerateOptions options,
      int fillerId) {
    this.comm = comm;
    this.manager = manager;
    this.model = model;
    this.tokenizer = tokenizer;
    this.eosIds = Set.copyOf(eosIds);
    this.options = options;
    this.fillerId = fillerId;
  }

  /** This rank's completions of {@code all} prompts (every rank passes the same list). */
  List<Completion> run(List<PromptIds> all) {
    List<PromptIds> mine = new ArrayList<>();
    for (PromptIds prompt : all) {
      if (prompt.index() % comm.worldSize() == comm.rank()) {
        mine.add(prompt);
      }
    }
    int perRank = (all.size() + comm.worldSize() - 1) / comm.worldSize();
    int rounds = (perRank + options.batchSize() - 1) / options.batchSize();
    List<Completion> out = new ArrayList<>();
    for (int round = 0; round < rounds; round++) {
      int from = Math.min(round * options.batchSize(), mine.size());
      int to = Math.min(from + options.batchSize(), mine.size());
      for (RowState row : runBatch(mine.subList(from, to))) {
        if (row.index() >= 0) {
          out.add(row.completion());
        }
      }
    }
    return out;
  }

  /** Slots LLEP computed away from their expert's rank, over every pass and MoE layer. */
  long spilledSlots() {
    return spilledSlots;
  }

  private List<RowState> runBatch(List<PromptIds> batch) {
    List<RowState> rows = new ArrayList<>();
    for (PromptIds prompt : batch) {
      rows.add(new RowState(prompt.index(), prompt.ids(), random(prompt.index())));
    }
    if (rows.isEmpty()) {
      rows.add(new RowState(-1, new int[] {fillerId}, null));
    }
    int longest = rows.stream().mapToInt(r -> r.promptIds().length).max().orElseThrow();
    int[] padding_B = new int[rows.size()];
    int[][] ids_BS = new int[rows.size()][longest];
    for (int b = 0; b < rows.size(); b++) {
      int[] prompt = rows.get(b).promptIds();
      padding_B[b] = longest - prompt.length;
      Arrays.fill(ids_BS[b], 0, padding_B[b], fillerId);
      System.arraycopy(prompt, 0, ids_BS[b], padding_B[b], prompt.length);
    }
    try (KvCache cache = model.newCache(padding_B, longest + options.maxNewTokens(), manager)) {
      float[][] logits_BV = pass(ids_BS, cache);
      while (true) {
        int[][] next_B1 = new int[rows.size()][1];
        long running = 0;
        for (int b = 0; b < rows.size(); b++) {
          RowState row = rows.get(b);
          if (!row.stopped()) {
            int token = TokenSampler.next(logits_BV[b], options.sampling(), row.random());
            row.accept(token, eosIds, options.stop(), options.maxNewTokens(), tokenizer);
            running += row.stopped() ? 0 : 1;
          }
          next_B1[b][0] = row.nextInput(fillerId);
        }
        if (globalSum(running) == 0) {
          return rows;
        }
        logits_BV = pass(next_B1, cache);
      }
    }
  }

  /**
   * Prompt {@code index}'s own random stream: a prompt's sample depends on the seed and its index,
   * not on the ranks, the batch or the other prompts.
   */
  private SplittableRandom random(int index) {
    return new SplittableRandom(
        new SplittableRandom(options.seed() ^ (index * 0x9E3779B97F4A7C15L)).nextLong());
  }

  /** One pass through the model; each row's logits of its last position, on the host. */
  private float[][] pass(int[][] ids_BS, KvCache cache) {
    try (NDManager step = manager.newSubManager()) {
      ModelOutput out =
          model.forwardCached(DistributedTape.inference(comm), step, ids_BS, cache, true);
      for (RoutingStats stats : out.routing()) {
        spilledSlots += stats.dispatch().spilledSlots();
      }
      NDArray logits = out.logits_BSV();
      int vocab = Math.toIntExact(logits.getShape().get(2));
      int usable = Math.min(vocab, tokenizer.vocabSize());
      float[] flat = logits.toType(DataType.FLOAT32, false).toFloatArray();
      float[][] rows = new float[ids_BS.length][];
      for (int b = 0; b < rows.length; b++) {
        rows[b] = Arrays.copyOfRange(flat, b * vocab, b * vocab + usable);
      }
      return rows;
    }
  }

  private long globalSum(long local) {
    try (NDManager scope = manager.newSubManager();
        NDArray mine = scope.create(new long[] {local});
        NDArray total = comm.allReduce(mine, ReduceOp.SUM)) {
      return total.getLong(0);
    }
  }
}
