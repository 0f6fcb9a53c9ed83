package ai.llep.models;

import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.QkNorm;
import ai.llep.models.family.TensorNames;
import java.util.Arrays;
import java.util.function.Function;

/**
 * An independent forward pass in plain Java double arithmetic, written from the Hugging Face
 * modelling code's semantics (not from this module's layers), one sequence at a time.
 */
final class ReferenceModel {
  private final ModelConfig c;
  private final Function<String, float[]> w;
  private final TensorNames n;

  ReferenceModel(ModelConfig config, Function<String, float[]> weights) {
    this.c = config;
    this.w = weights;
    this.n = new TensorNames(config.family());
  }

  /** Logits [B][S][V]. */
  double[][][] logits(int[][] ids, int[][] positions) {
    double[][][] out = new double[ids.length][][];
    for (int b = 0; b < ids.length; b++) {
      out[b] = sequence(ids[b], positions[b]);
    }
    return out;
  }

  private double[][] sequence(int[] ids, int[] positions) {
    int seq = ids.length;
    int d = c.hiddenSize();
    float[] table = w.apply(n.embedding());
    double[][] h = new double[seq][d];
    for (int s = 0; s < seq; s++) {
      for (int i = 0; i < d; i++) {
        h[s][i] = table[ids[s] * d + i];
      }
    }
    for (int layer = 0; layer < c.numLayers(); layer++) {
      double[][] x = new double[seq][];
      for (int s = 0; s < seq; s++) {
        x[s] = rmsNorm(h[s], w.apply(n.inputNorm(layer)));
      }
      double[][] attn = attention(layer, x, positions);
      for (int s = 0; s < seq; s++) {
        add(h[s], attn[s]);
        double[] y = rmsNorm(h[s], w.apply(n.postAttentionNorm(layer)));
        add(h[s], c.isMoeLayer(layer) ? moe(layer, y) : denseMlp(layer, y));
      }
    }
    String head = c.tieEmbeddings() ? n.embedding() : n.lmHead();
    double[][] logits = new double[seq][];
    for (int s = 0; s < seq; s++) {
      logits[s] = linear(rmsNorm(h[s], w.apply(n.finalNorm())), head, null);
    }
    return logits;
  }

  private double[][] attention(int layer, double[][] x, int[] positions) {
    int seq = x.length;
    int hd = c.headDim();
    int heads = c.numHeads();
    int group = heads / c.numKvHeads();
    double[][] q = new double[seq][];
    double[][] k = new double[seq][];
    double[][] v = new double[seq][];
    for (int s = 0; s < seq; s++) {
      q[s] = projectHeads(layer, 'q', x[s], heads, positions[s]);
      k[s] = projectHeads(layer, 'k', x[s], c.numKvHeads(), positions[s]);
      v[s] = clip(linear(x[s], n.attention(layer, 'v', "weight"), bias(layer, 'v')));
    }
    double[][] out = new double[seq][heads * hd];
    for (int head = 0; head < heads; head++) {
      int kv = head / group;
      for (int s = 0; s < seq; s++) {
        double[] scores = new double[s + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t <= s; t++) {
          double dot = 0;
          for (int i = 0; i < hd; i++) {
            dot += q[s][head * hd + i] * k[t][kv * hd + i];
          }
          scores[t] = dot / Math.sqrt(hd);
          max = Math.max(max, scores[t]);
        }
        double total = 0;
        for (int t = 0; t <= s; t++) {
          scores[t] = Math.exp(scores[t] - max);
          total += scores[t];
        }
        for (int t = 0; t <= s; t++) {
          for (int i = 0; i < hd; i++) {
            out[s][head * hd + i] += scores[t] / total * v[t][kv * hd + i];
          }
        }
      }
    }
    double[][] projected = new double[seq][];
    for (int s = 0; s < seq; s++) {
      projected[s] = linear(out[s], n.attention(layer, 'o', "weight"), bias(layer, 'o'));
    }
    return projected;
  }

  /** Query or key of one position: projection, the family's norm, clipping, rotation. */
  private double[] projectHeads(int layer, char which, double[] x, int count, int position) {
    double[] y = linear(x, n.attention(layer, which, "weight"), bias(layer, which));
    String normName = which == 'q' ? n.queryNorm(layer) : n.keyNorm(layer);
    int hd = c.headDim();
    if (c.qkNorm() == QkNorm.FULL) {
      y = rmsNorm(y, w.apply(normName));
    }
    y = clip(y);
    for (int head = 0; head < count; head++) {
      double[] part = Arrays.copyOfRange(y, head * hd, (head + 1) * hd);
      if (c.qkNorm() == QkNorm.PER_HEAD) {
        part = rmsNorm(part, w.apply(normName));
      }
      for (int i = 0; i < hd / 2; i++) {
        double angle = position * Math.pow(c.ropeTheta(), -2.0 * i / hd);
        double x1 = part[i];
        double x2 = part[i + hd / 2];
        y[head * hd + i] = x1 * Math.cos(angle) - x2 * Math.sin(angle);
        y[head * hd + i + hd / 2] = x2 * Math.cos(angle) + x1 * Math.sin(angle);
      }
    }
    return y;
  }

  private double[] moe(int layer, double[] x) {
    double[] logits = linear(x, n.router(layer), null);
    double max = Double.NEGATIVE_INFINITY;
    for (double l : logits) {
      max = Math.max(max, l);
    }
    double total = 0;
    double[] probs = new double[logits.length];
    for (int e = 0; e < probs.length; e++) {
      probs[e] = Math.exp(logits[e] - max);
      total += probs[e];
    }
    boolean[] taken = new boolean[probs.length];
    int[] chosen = new int[c.topK()];
    double chosenTotal = 0;
    for (int k = 0; k < chosen.length; k++) {
      int best = -1;
      for (int e = 0; e < probs.length; e++) {
        if (!taken[e] && (best < 0 || probs[e] > probs[best])) {
          best = e;
        }
      }
      taken[best] = true;
      chosen[k] = best;
      chosenTotal += probs[best] / total;
    }
    boolean renormalize = c.family() == ModelFamily.MIXTRAL || c.normTopKProb();
    double[] out = new double[x.length];
    for (int e : chosen) {
      double weight = probs[e] / total / (renormalize ? chosenTotal : 1.0);
      double[] y = swiGlu(x, n.expertGate(layer, e), n.expertUp(layer, e), n.expertDown(layer, e));
      for (int i = 0; i < out.length; i++) {
        out[i] += weight * y[i];
      }
    }
    return out;
  }

  private double[] denseMlp(int layer, double[] x) {
    return swiGlu(x, n.denseMlp(layer, "gate"), n.denseMlp(layer, "up"), n.denseMlp(layer, "down"));
  }

  private double[] swiGlu(double[] x, String gate, String up, String down) {
    double[] g = linear(x, gate, null);
    double[] u = linear(x, up, null);
    for (int i = 0; i < g.length; i++) {
      g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
    }
    return linear(g, down, null);
  }

  private String bias(int layer, char which) {
    return c.attentionBias() ? n.attention(layer, which, "bias") : null;
  }

  private double[] clip(double[] x) {
    if (c.clipQkv() > 0) {
      for (int i = 0; i < x.length; i++) {
        x[i] = Math.max(-c.clipQkv(), Math.min(c.clipQkv(), x[i]));
      }
    }
    return x;
  }

  private double[] linear(double[] x, String weight, String bias) {
    float[] m = w.apply(weight);
    int out = m.length / x.length;
    float[] b = bias == null ? null : w.apply(bias);
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double acc = b == null ? 0 : b[o];
      for (int i = 0; i < x.length; i++) {
        acc += m[o * x.length + i] * x[i];
      }
      y[o] = acc;
    }
    return y;
  }

  private double[] rmsNorm(double[] x, float[] weight) {
    double squares = 0;
    for (double v : x) {
      squares += v * v;
    }
    double scale = 1 / Math.sqrt(squares / x.length + c.rmsNormEps());
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = weight[i] * x[i] * scale;
    }
    return y;
  }

  private static void add(double[] into, double[] x) {
    for (int i = 0; i < into.length; i++) {
      into[i] += x[i];
    }
  }
}
