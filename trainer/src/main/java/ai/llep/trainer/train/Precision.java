package ai.llep.trainer.train;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import ai.llep.aten.Aten;
import ai.llep.device.CudaRuntime;
import java.util.Locale;
import java.util.function.IntUnaryOperator;

/**
 * {@code train.precision} (and {@code generate.precision}): how a training step, or a generation
 * pass, computes. A generation pass has no gradients: {@code bf16} computes with bfloat16 copies of
 * the float32 weights as training's forward does.
 *
 * <ul>
 *   <li>{@code float32}: float32 weights, activations, gradients and AdamW state.
 *   <li>{@code tf32}: float32, with libtorch's TF32 tensor cores for float32 matrix products on
 *       CUDA (inputs rounded to 10 mantissa bits, float32 accumulation); on the CPU exactly
 *       float32.
 *   <li>{@code bf16}: mixed precision. The parameters stay float32 (the master weights, which AdamW
 *       updates with float32 moments and checkpoints keep); each forward pass computes with a
 *       bfloat16 copy of every weight, so activations and the gradients of weights and activations
 *       are bfloat16 until each weight's gradient reaches its float32 master. Norm statistics, the
 *       router softmax, attention's softmax and the loss run in float32. With {@code optim.zero=1}
 *       the replicated parameters are held in bfloat16 instead and their float32 masters are split
 *       between the ranks ({@link ai.llep.trainer.optim.ShardedAdamW#withBf16Masters}).
 *   <li>{@code auto}: {@code bf16} on CUDA devices with bfloat16 tensor cores (compute capability
 *       8.0 or later), else {@code float32}.
 * </ul>
 */
public enum Precision {
  AUTO,
  FLOAT32,
  TF32,
  BF16;

  /** The first compute capability with bfloat16 tensor cores (Ampere). */
  static final int BF16_CAPABILITY = 80;

  /** Parses {@code train.precision}; the error names the key and the valid values. */
  public static Precision parse(String text) {
    return parse("train.precision", text);
  }

  /** Parses the precision of config key {@code key}; the error names it and the valid values. */
  public static Precision parse(String key, String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          key + "=" + text + " is not one of: auto, float32, tf32, bf16");
    }
  }

  /** The mode that runs on {@code device}: never {@code AUTO}; {@code TF32} only on a GPU. */
  public Precision on(Device device) {
    return on(device, gpu -> CudaRuntime.load().computeCapability(gpu));
  }

  /** {@link #on(Device)} with the devices' compute capabilities given (major * 10 + minor). */
  Precision on(Device device, IntUnaryOperator capability) {
    boolean gpu = device.isGpu();
    return switch (this) {
      case AUTO ->
          gpu && capability.applyAsInt(device.getDeviceId()) >= BF16_CAPABILITY ? BF16 : FLOAT32;
      case TF32 -> gpu ? TF32 : FLOAT32;
      default -> this;
    };
  }

  /** The type a forward pass computes in. */
  public DataType computeType() {
    return this == BF16 ? DataType.BFLOAT16 : DataType.FLOAT32;
  }

  /**
   * Turns libtorch's TF32 switch on for {@code TF32} and off otherwise (on a GPU; the CPU has no
   * such switch). Returns a warning when TF32 stays on although not asked for, or null.
   */
  String applyMatmulMode(Device device) {
    return applyMatmulMode(device, "train.precision");
  }

  /** {@link #applyMatmulMode(Device)} for the mode config key {@code key} chose. */
  String applyMatmulMode(Device device, String key) {
    if (!device.isGpu()) {
      return null;
    }
    Aten.allowTf32Matmul(this == TF32);
    if (this != TF32 && Aten.tf32MatmulAllowed()) {
      return key
          + "="
          + label()
          + ", but TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 keeps TF32 matrix products on";
    }
    return null;
  }

  /** How the run's log names this mode. */
  String describe() {
    return switch (this) {
      case AUTO -> "auto";
      case FLOAT32 -> "float32";
      case TF32 -> "tf32 (float32 with TF32 matrix products)";
      case BF16 -> "bf16 (bfloat16 compute, float32 master weights and AdamW moments)";
    };
  }

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
