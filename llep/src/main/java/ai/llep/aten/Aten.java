package ai.llep.aten;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * The ATen operators DJL lacks, on DJL tensors. Every result is attached to the manager of the
 * first tensor argument (as DJL does), is differentiable where the operator has a derivative, and
 * reports its dtype honestly (bfloat16 included).
 *
 * <p><b>DJL calls that abort the JVM on bfloat16</b> (DJL 0.36's JNI has no bfloat16 in its dtype
 * switch and rethrows nothing there, so the process terminates): any creation with {@code
 * DataType.BFLOAT16} ({@code NDManager.create/zeros/ones/full/arange/linspace/eye/randomNormal/
 * randomUniform/randomInteger}) and {@code toType(BFLOAT16, ...)}; and on a bfloat16 tensor {@code
 * zerosLike()}, {@code onesLike()}, {@code softmax}, {@code logSoftmax}, {@code cumProd}, {@code
 * toDevice} (and DJL's other calls that pass the tensor's own dtype to the JNI). Use {@link #cast},
 * {@link #zerosLike}, {@link #emptyLike}, {@link #zeros}, {@link #empty} and {@link #toDevice}
 * instead, and cast to float32 before a softmax. On a bfloat16 tensor {@code toFloatArray()} and
 * {@code toString()} throw; {@code toType(FLOAT32, false)} works but, like every DJL cast, is not
 * differentiable. Elementwise math, matmul, reductions, reshapes, indexing and concatenation run on
 * bfloat16.
 */
public final class Aten {
  private Aten() {}

  /** {@code x}'s element type as libtorch knows it ({@link DjlTensors#dtype}). */
  public static DataType dtype(NDArray x) {
    return DjlTensors.dtype(x);
  }

  /** {@code x} converted to {@code type}: always a copy, differentiable (gradients cast back). */
  public static NDArray cast(NDArray x, DataType type) {
    return cast(x, type, x.getManager());
  }

  /** {@link #cast(NDArray, DataType)} with the result under {@code manager}. */
  public static NDArray cast(NDArray x, DataType type, NDManager manager) {
    return AtenCall.of(AtenOps.TO_COPY)
        .tensor(x)
        .scalarType(type)
        .none()
        .none()
        .none()
        .bool(false)
        .none()
        .run(manager)
        .tensor(0);
  }

  /** A copy of {@code x} on {@code device}, same dtype, differentiable. */
  public static NDArray toDevice(NDArray x, Device device) {
    return AtenCall.of(AtenOps.TO_COPY)
        .tensor(x)
        .none()
        .none()
        .device(device)
        .none()
        .bool(false)
        .none()
        .run(x.getManager())
        .tensor(0);
  }

  /**
   * A copy of the CPU tensor {@code pinned} (in page-locked memory) on {@code device}, queued on
   * the current stream without waiting for it: the host goes on at once, where a copy from ordinary
   * host memory synchronises the stream. libtorch's pinned-memory allocator keeps {@code pinned}'s
   * memory from reuse until the copy is done, so the caller may close it right away.
   */
  public static NDArray copyToDeviceAsync(NDArray pinned, Device device, NDManager manager) {
    return AtenCall.of(AtenOps.TO_COPY)
        .tensor(pinned)
        .none()
        .none()
        .device(device)
        .none()
        .bool(true)
        .none()
        .run(manager)
        .tensor(0);
  }

  /**
   * An uninitialised CPU tensor of {@code shape} and {@code type} in page-locked (pinned) memory,
   * from libtorch's caching pinned-memory allocator; needs a CUDA libtorch, and lists ({@link
   * #listsSupported}).
   */
  public static NDArray emptyPinned(NDManager manager, Shape shape, DataType type) {
    return AtenCall.of(AtenOps.EMPTY)
        .ints(shape.getShape())
        .scalarType(type)
        .none()
        .device(Device.cpu())
        .bool(true)
        .none()
        .run(manager)
        .tensor(0);
  }

  /** Zeros of {@code x}'s shape and device in {@code type}. */
  public static NDArray zerosLike(NDArray x, DataType type) {
    return like(AtenOps.ZEROS_LIKE, x, type);
  }

  /** An uninitialised tensor of {@code x}'s shape and device in {@code type}. */
  public static NDArray emptyLike(NDArray x, DataType type) {
    return like(AtenOps.EMPTY_LIKE, x, type);
  }

  /**
   * Zeros of {@code shape} in {@code type} on {@code device}, under {@code manager}, without a
   * full-size tensor of another type (zeros like a broadcast one-element tensor).
   */
  public static NDArray zeros(NDManager manager, Shape shape, DataType type, Device device) {
    return fresh(AtenOps.ZEROS_LIKE, manager, shape, type, device);
  }

  /**
   * An uninitialised tensor of {@code shape} in {@code type} on {@code device}, as {@link #zeros}.
   */
  public static NDArray empty(NDManager manager, Shape shape, DataType type, Device device) {
    return fresh(AtenOps.EMPTY_LIKE, manager, shape, type, device);
  }

  /**
   * The bytes of {@code x} seen as {@code type}, which must have the same element size (a view, no
   * copy, not differentiable): how bfloat16 travels through code that only DJL's types can reach
   * (as float16 bits, say).
   */
  public static NDArray reinterpret(NDArray x, DataType type) {
    if (type.getNumOfBytes() != dtype(x).getNumOfBytes()) {
      throw new IllegalArgumentException(
          "cannot see " + dtype(x) + " elements as " + type + ": the element sizes differ");
    }
    return AtenCall.of(AtenOps.VIEW_DTYPE).tensor(x).scalarType(type).run(x.getManager()).tensor(0);
  }

  /**
   * Makes {@code x} hold {@code data} instead of its own elements (a new dtype allowed), keeping
   * {@code x}'s handle, so whoever holds {@code x} (a model's layers, a tied head) sees the new
   * data: how a float32 parameter becomes the bfloat16 compute copy in place. {@code x} stays a
   * leaf with its {@code requiresGradient}; it must have no gradient yet (one of the old dtype
   * would not match). {@code data} is not copied: it and {@code x} share elements afterwards.
   */
  public static void replaceData(NDArray x, NDArray data) {
    AtenCall.of(AtenOps.SET_DATA).tensor(x).tensor(data).run(x.getManager());
    DjlTensors.refreshDtype(x);
  }

  /**
   * Lets (or stops) libtorch run float32 matrix products on CUDA with TF32 tensor cores, as {@code
   * torch.backends.cuda.matmul.allow_tf32} does. A process-wide setting, read by every later
   * product; on the CPU it changes nothing.
   */
  public static void allowTf32Matmul(boolean allow) {
    MatmulPrecision.get().setAllowTf32(allow);
  }

  /** Whether float32 products on CUDA may use TF32 ({@link #allowTf32Matmul}). */
  public static boolean tf32MatmulAllowed() {
    return MatmulPrecision.get().allowsTf32();
  }

  /**
   * {@code softmax(q k^T * scale + mask) v} over the last two dims ({@code [..., L, C]} queries,
   * {@code [..., S, C]} keys and values), by libtorch's fused kernels where they apply.
   *
   * @param mask null, or a boolean mask (true = attend) or additive mask broadcastable to {@code
   *     [..., L, S]}
   * @param causal whether position l attends only to positions <= l (with no mask)
   * @param enableGqa whether keys and values may have fewer heads than queries (dim -3), each
   *     serving consecutive query heads
   */
  public static NDArray scaledDotProductAttention(
      NDArray q,
      NDArray k,
      NDArray v,
      NDArray mask,
      boolean causal,
      double scale,
      boolean enableGqa) {
    return AtenCall.of(AtenOps.SCALED_DOT_PRODUCT_ATTENTION)
        .tensor(q)
        .tensor(k)
        .tensor(v)
        .optionalTensor(mask)
        .real(0.0)
        .bool(causal)
        .real(scale)
        .bool(enableGqa)
        .run(q.getManager())
        .tensor(0);
  }

  /**
   * Variable-length FlashAttention (CUDA, float16 or bfloat16): {@code q_THC} holds the tokens of
   * every sequence back to back, sequence i spanning {@code [cuSeqlens[i], cuSeqlens[i+1])}; keys
   * and values may have fewer heads (each serving consecutive query heads). Differentiable through
   * libtorch's {@code _flash_attention_backward}.
   *
   * @param cuSeqlens_N int32 cumulative sequence lengths, {@code [sequences + 1]}, on q's device
   * @param maxSeqlen the longest sequence
   * @return the output, {@code [T, H, C]}
   */
  public static NDArray flashAttentionVarlen(
      NDArray q_THC,
      NDArray k_TGC,
      NDArray v_TGC,
      NDArray cuSeqlens_N,
      int maxSeqlen,
      double scale,
      boolean causal) {
    NDManager manager = q_THC.getManager();
    try (NDManager extras = manager.newSubManager()) {
      AtenResult result =
          AtenCall.of(AtenOps.FLASH_ATTENTION_FORWARD)
              .tensor(q_THC)
              .tensor(k_TGC)
              .tensor(v_TGC)
              .tensor(cuSeqlens_N)
              .tensor(cuSeqlens_N)
              .integer(maxSeqlen)
              .integer(maxSeqlen)
              .real(0.0)
              .bool(causal)
              .bool(false)
              .real(scale)
              .none()
              .none()
              .none()
              .none()
              .run(extras);
      NDArray out = result.tensor(0);
      out.attach(manager);
      return out;
    }
  }

  /**
   * {@code x} clamped to {@code [min, max]} (0-d tensors on {@code x}'s device); differentiable.
   */
  public static NDArray clamp(NDArray x, NDArray min, NDArray max) {
    return AtenCall.of(AtenOps.CLAMP_TENSOR)
        .tensor(x)
        .optionalTensor(min)
        .optionalTensor(max)
        .run(x.getManager())
        .tensor(0);
  }

  /** {@code self} plus {@code src} added at {@code index} along {@code dim}; differentiable. */
  public static NDArray scatterAdd(NDArray self, int dim, NDArray index, NDArray src) {
    return AtenCall.of(AtenOps.SCATTER_ADD)
        .tensor(self)
        .integer(dim)
        .tensor(index)
        .tensor(src)
        .run(self.getManager())
        .tensor(0);
  }

  /**
   * {@code self} with slice i of {@code source} (along {@code dim}) added to slice {@code index[i]}
   * of it, like torch's {@code index_add}; differentiable. {@code index_add} itself takes a Scalar,
   * which the stable ABI cannot carry, so this is {@code scatter_add} with the index broadcast (a
   * view) to {@code source}'s shape.
   *
   * @param index_N int64, one entry per slice of {@code source} along {@code dim}
   */
  public static NDArray indexAdd(NDArray self, int dim, NDArray index_N, NDArray source) {
    Shape sourceShape = source.getShape();
    int axis = dim < 0 ? dim + sourceShape.dimension() : dim;
    long[] viewShape = new long[sourceShape.dimension()];
    java.util.Arrays.fill(viewShape, 1);
    viewShape[axis] = sourceShape.get(axis);
    try (NDManager scope = self.getManager().newSubManager()) {
      NDArray view = index_N.reshape(new Shape(viewShape));
      view.attach(scope);
      NDArray expanded = view.broadcast(sourceShape);
      expanded.attach(scope);
      return scatterAdd(self, axis, expanded, source);
    }
  }

  /** {@code self} plus {@code src} added at {@code index} along {@code dim}, in place. */
  public static void scatterAddInPlace(NDArray self, int dim, NDArray index, NDArray src) {
    AtenCall.of(AtenOps.SCATTER_ADD_)
        .tensor(self)
        .integer(dim)
        .tensor(index)
        .tensor(src)
        .run(self.getManager())
        .tensor(0)
        .close();
  }

  /**
   * A second handle to the very tensor {@code x} is (the same autograd identity: a gradient on one
   * is on the other), under {@code manager}, so that it outlives {@code x}'s own handle.
   */
  public static NDArray sameTensor(NDArray x, NDManager manager) {
    LibTorch lib = LibTorch.get();
    long handle = lib.newTensorHandle(DjlTensors.handle(x));
    try {
      return DjlTensors.wrap(manager, handle);
    } catch (RuntimeException e) {
      lib.deleteTensor(handle);
      throw e;
    }
  }

  /**
   * Elements {@code [start, start + length)} of {@code x} along {@code dim}, a view under {@code
   * manager} (without parsing an index expression, as DJL's {@code get} does).
   */
  public static NDArray narrow(NDArray x, int dim, long start, long length, NDManager manager) {
    return AtenCall.of(AtenOps.NARROW)
        .tensor(x)
        .integer(dim)
        .integer(start)
        .integer(length)
        .run(manager)
        .tensor(0);
  }

  /** {@code x}'s elements without its autograd history, a new handle under {@code manager}. */
  public static NDArray detach(NDArray x, NDManager manager) {
    return AtenCall.of(AtenOps.DETACH).tensor(x).run(manager).tensor(0);
  }

  /** {@code self = src}, in place, converted to {@code self}'s dtype. */
  public static void copyInto(NDArray self, NDArray src) {
    AtenCall.of(AtenOps.COPY_)
        .tensor(self)
        .tensor(src)
        .bool(false)
        .run(self.getManager())
        .tensor(0)
        .close();
  }

  /**
   * {@code targets[i] = sources[i]} for every i, each converted to its target's dtype: one call
   * where libtorch takes lists ({@link #listsSupported}), else one per pair.
   */
  public static void copyAll(List<NDArray> targets, List<NDArray> sources) {
    if (targets.size() != sources.size()) {
      throw new IllegalArgumentException(
          targets.size() + " targets but " + sources.size() + " sources to copy");
    }
    if (targets.isEmpty()) {
      return;
    }
    if (!listsSupported()) {
      for (int i = 0; i < targets.size(); i++) {
        copyInto(targets.get(i), sources.get(i));
      }
      return;
    }
    AtenCall.of(AtenOps.FOREACH_COPY_)
        .tensors(targets)
        .tensors(sources)
        .bool(false)
        .run(targets.getFirst().getManager());
  }

  /**
   * {@code x / sqrt(mean(x^2 over the last dimension) + eps) * weight}, in at least float32 inside,
   * in {@code x}'s dtype out ({@code torch.nn.functional.rms_norm}); {@code weight} has {@code x}'s
   * dtype and last dimension. Differentiable. Needs {@link #listsSupported}.
   */
  public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
    long last = x.getShape().get(x.getShape().dimension() - 1);
    return AtenCall.of(AtenOps.RMS_NORM)
        .tensor(x)
        .ints(last)
        .tensor(weight)
        .real(eps)
        .run(x.getManager())
        .tensor(0);
  }

  /**
   * {@code x} rotated by {@code shift} along dimension {@code dim}: element i moves to {@code (i +
   * shift) mod n} ({@code torch.roll}). Differentiable. Needs {@link #listsSupported}.
   */
  public static NDArray roll(NDArray x, long shift, long dim) {
    return AtenCall.of(AtenOps.ROLL).tensor(x).ints(shift).ints(dim).run(x.getManager()).tensor(0);
  }

  /** {@code x = exp(x)}, in place. */
  public static void expInPlace(NDArray x) {
    AtenCall.of(AtenOps.EXP_).tensor(x).run(x.getManager()).tensor(0).close();
  }

  /**
   * {@code a b} as a float32 matrix from bfloat16 operands ({@code torch.mm(a, b,
   * out_dtype=torch.float32)}), without a bfloat16 product in between. CUDA only: see {@link
   * #mmToFloat32Supported}.
   */
  public static NDArray mmToFloat32(NDArray a, NDArray b) {
    return AtenCall.of(AtenOps.MM_DTYPE)
        .tensor(a)
        .tensor(b)
        .scalarType(DataType.FLOAT32)
        .run(a.getManager())
        .tensor(0);
  }

  /** Whether {@link #mmToFloat32} runs for bfloat16 operands on {@code device}. */
  public static boolean mmToFloat32Supported(Device device) {
    return device.isGpu() && libtorchVersion().atLeast(FIRST_WITH_MM_DTYPE);
  }

  /**
   * Grouped matrix product ({@code torch._grouped_mm}): with {@code a} {@code [M, K]}, {@code b}
   * {@code [G, K, N]} and {@code offs} the int32 end row of each group in {@code a}, group g's rows
   * times {@code b[g]}. Absent in libtorch 2.7.1 (the call then fails with "Could not find
   * schema"); in 2.11 it runs on CUDA.
   */
  public static NDArray groupedMm(NDArray a, NDArray b, NDArray offs, DataType outType) {
    AtenCall call = AtenCall.of(AtenOps.GROUPED_MM).tensor(a).tensor(b).optionalTensor(offs).none();
    call = outType == null ? call.none() : call.scalarType(outType);
    return call.run(a.getManager()).tensor(0);
  }

  /**
   * Whether this libtorch takes list arguments through the stable ABI (2.10 and later), which
   * {@link #fusedAdamW} needs.
   */
  public static boolean listsSupported() {
    return LibTorch.get().hasLists();
  }

  /**
   * One AdamW step over all {@code params} at once, in place ({@code aten::_fused_adamw_}, as
   * {@code torch.optim.AdamW(fused=True)} runs it): decoupled weight decay, the moments, bias
   * correction from {@code steps} (one-element float32 tensors holding this step's number, 1 for
   * the first), and the update. Every list has one tensor per parameter, of its shape and device.
   *
   * @throws UnsupportedOperationException when {@link #listsSupported} is false
   */
  public static void fusedAdamW(
      List<NDArray> params,
      List<NDArray> grads,
      List<NDArray> firstMoments,
      List<NDArray> secondMoments,
      List<NDArray> steps,
      double lr,
      double beta1,
      double beta2,
      double weightDecay,
      double eps) {
    if (params.isEmpty()) {
      return;
    }
    int n = params.size();
    if (grads.size() != n
        || firstMoments.size() != n
        || secondMoments.size() != n
        || steps.size() != n) {
      throw new IllegalArgumentException(
          "fused AdamW needs one gradient, two moments and one step per parameter");
    }
    AtenCall.of(AtenOps.FUSED_ADAMW)
        .tensors(params)
        .tensors(grads)
        .tensors(firstMoments)
        .tensors(secondMoments)
        .tensors(List.of())
        .tensors(steps)
        .real(lr)
        .real(beta1)
        .real(beta2)
        .real(weightDecay)
        .real(eps)
        .bool(false)
        .bool(false)
        .none()
        .none()
        .run(params.getFirst().getManager());
  }

  /** The first libtorch whose {@code mm.dtype} was seen to run (on CUDA). */
  private static final AbiVersion FIRST_WITH_MM_DTYPE = new AbiVersion(2, 11, 0);

  /** libtorch's version, as its stable ABI reports it. */
  public static AbiVersion libtorchVersion() {
    return LibTorch.get().version;
  }

  private static NDArray fresh(
      AtenOp op, NDManager manager, Shape shape, DataType type, Device device) {
    try (NDManager scope = manager.newSubManager(device)) {
      NDArray one = scope.zeros(new Shape(1), DataType.FLOAT32, device);
      NDArray expanded = shape.dimension() == 0 ? one.reshape(shape) : one.broadcast(shape);
      return AtenCall.of(op)
          .tensor(expanded)
          .scalarType(type)
          .none()
          .none()
          .none()
          .none()
          .run(manager)
          .tensor(0);
    }
  }

  private static NDArray like(AtenOp op, NDArray x, DataType type) {
    return AtenCall.of(op)
        .tensor(x)
        .scalarType(type)
        .none()
        .none()
        .none()
        .none()
        .run(x.getManager())
        .tensor(0);
  }
}
