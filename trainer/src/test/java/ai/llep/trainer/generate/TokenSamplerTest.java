package ai.llep.trainer.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.llep.models.tokenizer.ByteTokenizer;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * Choosing tokens: greedy ties, the top-k and top-p sets as transformers' warpers make them, draws
 * by inverse transform, and a row's stop at EOS, a stop string or the token limit.
 */
class TokenSamplerTest {
  /** A random source that returns the given uniforms in turn. */
  private static RandomGenerator uniforms(double... values) {
    return new RandomGenerator() {
      private int next;

      @Override
      public long nextLong() {
        throw new UnsupportedOperationException();
      }

      @Override
      public double nextDouble() {
        return values[next++];
      }
    };
  }

  @Test
  void greedyTakesTheFirstLargestLogitAndSkipsNaN() {
    assertEquals(1, TokenSampler.argmax(new float[] {0, 3, 3, Float.NaN}));
    assertEquals(2, TokenSampler.argmax(new float[] {Float.NaN, -1, 5}));
    assertThrows(IllegalStateException.class, () -> TokenSampler.argmax(new float[] {Float.NaN}));
  }

  @Test
  void topKThenTopPKeepTheMostLikelyTokens() {
    float[] logits = {(float) Math.log(0.1), (float) Math.log(0.5), (float) Math.log(0.4), -50};
    double[] all = TokenSampler.distribution(logits, new Sampling(1, 0, 1));
    assertEquals(0.5, all[1], 1e-6);
    double[] top2 = TokenSampler.distribution(logits, new Sampling(1, 2, 1));
    assertArrayEquals(new double[] {0, 5 / 9.0, 4 / 9.0, 0}, top2, 1e-6);
    // 0.5 alone has not reached 0.6, so 0.4 joins; then 0.9 >= 0.6 leaves the rest out.
    double[] topP = TokenSampler.distribution(logits, new Sampling(1, 0, 0.6));
    assertArrayEquals(new double[] {0, 5 / 9.0, 4 / 9.0, 0}, topP, 1e-6);
    double[] topPHalf = TokenSampler.distribution(logits, new Sampling(1, 0, 0.5));
    assertArrayEquals(new double[] {0, 1, 0, 0}, topPHalf, 1e-9);
    double[] hot = TokenSampler.distribution(logits, new Sampling(0.5, 0, 1));
    assertEquals(0.25 / (0.01 + 0.25 + 0.16), hot[1], 1e-5);
  }

  @Test
  void drawsByInverseTransformOverTheKeptTokens() {
    float[] logits = {(float) Math.log(0.1), (float) Math.log(0.5), (float) Math.log(0.4), -50};
    Sampling top2 = new Sampling(1, 2, 1);
    assertEquals(1, TokenSampler.next(logits, top2, uniforms(0.0)));
    assertEquals(1, TokenSampler.next(logits, top2, uniforms(0.55)));
    assertEquals(2, TokenSampler.next(logits, top2, uniforms(0.56)));
    assertEquals(2, TokenSampler.next(logits, top2, uniforms(0.999999)));
    assertEquals(1, TokenSampler.next(logits, Sampling.GREEDY, null));
  }

  @Test
  void sampledFrequenciesFollowTheDistribution() {
    float[] logits = {0, 1, 2};
    Sampling sampling = new Sampling(1, 0, 1);
    double[] p = TokenSampler.distribution(logits, sampling);
    SplittableRandom random = new SplittableRandom(7);
    int[] counts = new int[3];
    int draws = 20_000;
    for (int i = 0; i < draws; i++) {
      counts[TokenSampler.next(logits, sampling, random)]++;
    }
    for (int i = 0; i < 3; i++) {
      assertEquals(p[i], counts[i] / (double) draws, 0.015, "token " + i);
    }
  }

  @Test
  void aRowStopsAtEosAStopStringOrTheLimitAndItsTextIsCut() {
    ByteTokenizer tokenizer = new ByteTokenizer();
    int eosId = tokenizer.eosId().orElseThrow();
    RowState eos = new RowState(0, new int[] {'a'}, null);
    eos.accept('o', Set.of(eosId), List.of(), 8, tokenizer);
    eos.accept(eosId, Set.of(eosId), List.of(), 8, tokenizer);
    Completion ended = eos.completion();
    assertEquals(StopReason.EOS, ended.reason());
    assertEquals("o", CompletionText.of(ended, tokenizer, List.of()));
    assertEquals(eosId, eos.nextInput(eosId));

    RowState stop = new RowState(1, new int[] {'a'}, null);
    for (char c : "ab\nc".toCharArray()) {
      if (!stop.stopped()) {
        stop.accept(c, Set.of(), List.of("\n\n", "b\n"), 8, tokenizer);
      }
    }
    Completion cut = stop.completion();
    assertEquals(StopReason.STOP_STRING, cut.reason());
    assertArrayEquals(new int[] {'a', 'b', '\n'}, cut.tokenIds());
    assertEquals("a", CompletionText.of(cut, tokenizer, List.of("\n\n", "b\n")));

    RowState limit = new RowState(2, new int[] {'a'}, null);
    limit.accept('x', Set.of(), List.of(), 2, tokenizer);
    assertEquals('x', limit.nextInput(0));
    limit.accept('y', Set.of(), List.of(), 2, tokenizer);
    assertEquals(StopReason.MAX_NEW_TOKENS, limit.completion().reason());
    assertThrows(
        IllegalStateException.class, () -> limit.accept('z', Set.of(), List.of(), 2, tokenizer));
  }
}
