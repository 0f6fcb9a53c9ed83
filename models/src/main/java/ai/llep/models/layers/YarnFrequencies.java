package ai.llep.models.layers;

import ai.llep.models.family.RopeScaling;

/**
 * YaRN's inverse frequencies (Peng et al., 2023), as transformers computes them for {@code
 * rope_type} yarn: per frequency pair i, a ramp between the dimensions that complete {@code
 * beta_fast} and {@code beta_slow} rotations over the original context blends {@code 1 / (factor *
 * theta^(2i / C))} (interpolated) with {@code 1 / theta^(2i / C)} (extrapolated), in float32.
 */
final class YarnFrequencies {
  private YarnFrequencies() {}

  static float[] of(int headDim, double theta, RopeScaling s) {
    if (headDim < 2 || headDim % 2 != 0) {
      throw new IllegalArgumentException("rotary head dim must be even and >= 2, got " + headDim);
    }
    double low = correctionDim(s.betaFast(), headDim, theta, s.originalMaxPositions());
    double high = correctionDim(s.betaSlow(), headDim, theta, s.originalMaxPositions());
    if (s.truncate()) {
      low = Math.floor(low);
      high = Math.ceil(high);
    }
    low = Math.max(low, 0);
    high = Math.min(high, headDim - 1);
    if (low == high) {
      high += 0.001;
    }
    float factor = (float) s.factor();
    float[] invFreq = new float[headDim / 2];
    for (int i = 0; i < invFreq.length; i++) {
      float posFreq = (float) Math.pow(theta, (float) (2 * i) / headDim);
      float extrapolation = 1f / posFreq;
      float interpolation = 1f / (factor * posFreq);
      float ramp = ((float) i - (float) low) / (float) (high - low);
      float extrapolationFactor = 1f - Math.min(1f, Math.max(0f, ramp));
      invFreq[i] = interpolation * (1f - extrapolationFactor) + extrapolation * extrapolationFactor;
    }
    return invFreq;
  }

  /** The dimension whose frequency makes {@code rotations} turns over {@code positions}. */
  private static double correctionDim(double rotations, int dim, double theta, int positions) {
    return dim * Math.log(positions / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
  }
}
