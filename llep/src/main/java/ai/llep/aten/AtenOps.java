package ai.llep.aten;

/**
 * The operator overloads this project calls, with their schemas as libtorch 2.7.1 and 2.11 register
 * them (checked against both; 2.13 appends {@code block_table} and {@code num_splits} to {@code
 * _flash_attention_forward}, which the stack's zero padding passes as None).
 */
public final class AtenOps {
  public static final AtenOp TO_COPY =
      AtenOp.parse(
          "aten::_to_copy(Tensor self, *, ScalarType? dtype=None, Layout? layout=None,"
              + " Device? device=None, bool? pin_memory=None, bool non_blocking=False,"
              + " MemoryFormat? memory_format=None) -> Tensor");

  public static final AtenOp ZEROS_LIKE =
      AtenOp.parse(
          "aten::zeros_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None,"
              + " Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None)"
              + " -> Tensor");

  public static final AtenOp EMPTY_LIKE =
      AtenOp.parse(
          "aten::empty_like(Tensor self, *, ScalarType? dtype=None, Layout? layout=None,"
              + " Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None)"
              + " -> Tensor");

  /** Takes a list, so libtorch 2.10 and later. */
  public static final AtenOp EMPTY =
      AtenOp.parse(
          "aten::empty.memory_format(SymInt[] size, *, ScalarType? dtype=None, Layout? layout=None,"
              + " Device? device=None, bool? pin_memory=None, MemoryFormat? memory_format=None)"
              + " -> Tensor");

  /** A view of the same bytes as another dtype of the same element size (a bit cast). */
  public static final AtenOp VIEW_DTYPE =
      AtenOp.parse("aten::view.dtype(Tensor(a) self, ScalarType dtype) -> Tensor(a)");

  public static final AtenOp SCALED_DOT_PRODUCT_ATTENTION =
      AtenOp.parse(
          "aten::scaled_dot_product_attention(Tensor query, Tensor key, Tensor value,"
              + " Tensor? attn_mask=None, float dropout_p=0.0, bool is_causal=False, *,"
              + " float? scale=None, bool enable_gqa=False) -> Tensor");

  public static final AtenOp FLASH_ATTENTION_FORWARD =
      AtenOp.parse(
          "aten::_flash_attention_forward(Tensor query, Tensor key, Tensor value,"
              + " Tensor? cum_seq_q, Tensor? cum_seq_k, SymInt max_q, SymInt max_k,"
              + " float dropout_p, bool is_causal, bool return_debug_mask, *, float? scale=None,"
              + " SymInt? window_size_left=None, SymInt? window_size_right=None,"
              + " Tensor? seqused_k=None, Tensor? alibi_slopes=None) -> (Tensor output,"
              + " Tensor softmax_logsumexp, Tensor rng_state, Tensor unused,"
              + " Tensor debug_attn_mask)");

  public static final AtenOp CLAMP_TENSOR =
      AtenOp.parse("aten::clamp.Tensor(Tensor self, Tensor? min=None, Tensor? max=None) -> Tensor");

  public static final AtenOp SCATTER_ADD =
      AtenOp.parse("aten::scatter_add(Tensor self, int dim, Tensor index, Tensor src) -> Tensor");

  /** In place; the index and source are checked against self before anything is written. */
  public static final AtenOp SCATTER_ADD_ =
      AtenOp.parseInPlace(
          "aten::scatter_add_(Tensor(a!) self, int dim, Tensor index, Tensor src) -> Tensor(a!)");

  /** Elements {@code [start, start + length)} along {@code dim}: a view. */
  public static final AtenOp NARROW =
      AtenOp.parse(
          "aten::narrow(Tensor(a) self, int dim, SymInt start, SymInt length) -> Tensor(a)");

  /** Same elements, no autograd history (a new leaf once it records gradients). */
  public static final AtenOp DETACH = AtenOp.parse("aten::detach(Tensor(a) self) -> Tensor(a)");

  /** Copies {@code src} into {@code self} in place, converting its dtype (and broadcasting). */
  public static final AtenOp COPY_ =
      AtenOp.parseInPlace(
          "aten::copy_(Tensor(a!) self, Tensor src, bool non_blocking=False) -> Tensor(a!)");

  /**
   * {@code self[i] = src[i]} for every i, converting dtypes, in one call (lists through the stable
   * ABI need libtorch 2.10); the kernel checks the lists' lengths before copying.
   */
  public static final AtenOp FOREACH_COPY_ =
      AtenOp.parseMutating(
          "aten::_foreach_copy_(Tensor(a!)[] self, Tensor[] src, bool non_blocking=False) -> ()");

  public static final AtenOp EXP_ =
      AtenOp.parseInPlace("aten::exp_(Tensor(a!) self) -> Tensor(a!)");

  /**
   * A matrix product whose result has {@code out_dtype} (bfloat16 operands, float32 result, with
   * float32 accumulation as usual): CUDA only, seen in libtorch 2.11.
   */
  public static final AtenOp MM_DTYPE =
      AtenOp.parse("aten::mm.dtype(Tensor self, Tensor mat2, ScalarType out_dtype) -> Tensor");

  /**
   * RMS normalisation over the trailing {@code normalized_shape}, times {@code weight}, computed in
   * at least float32 and returned in the input's dtype; one fused kernel on CUDA (libtorch 2.8 and
   * later), a decomposition elsewhere. Takes a list, so libtorch 2.10 and later.
   */
  public static final AtenOp RMS_NORM =
      AtenOp.parse(
          "aten::rms_norm(Tensor input, SymInt[] normalized_shape, Tensor? weight=None,"
              + " float? eps=None) -> Tensor");

  /** Rotates along {@code dims} by {@code shifts}. Takes lists, so libtorch 2.10 and later. */
  public static final AtenOp ROLL =
      AtenOp.parse("aten::roll(Tensor self, SymInt[1] shifts, int[1] dims=[]) -> Tensor");

  /** Not in libtorch 2.7.1 (added in 2.8); its kernels need CUDA on Hopper for bfloat16. */
  public static final AtenOp GROUPED_MM =
      AtenOp.parse(
          "aten::_grouped_mm(Tensor self, Tensor mat2, Tensor? offs=None, Tensor? bias=None,"
              + " ScalarType? out_dtype=None) -> Tensor");

  /**
   * AdamW over lists of tensors in one multi-tensor kernel family (libtorch 2.4 and later, on CPU
   * and CUDA; lists through the stable ABI need 2.10). Updates {@code self}, {@code exp_avgs} and
   * {@code exp_avg_sqs} in place; {@code state_steps} hold each tensor's step count, already
   * incremented for this step, as one-element float32 tensors.
   */
  public static final AtenOp FUSED_ADAMW =
      AtenOp.parseMutating(
          "aten::_fused_adamw_(Tensor(a!)[] self, Tensor(b!)[] grads, Tensor(c!)[] exp_avgs,"
              + " Tensor(d!)[] exp_avg_sqs, Tensor(e!)[] max_exp_avg_sqs, Tensor[] state_steps, *,"
              + " float lr, float beta1, float beta2, float weight_decay, float eps, bool amsgrad,"
              + " bool maximize, Tensor? grad_scale=None, Tensor? found_inf=None) -> ()");

  /**
   * Replaces the data (dtype included) of a tensor, keeping the tensor object and its autograd
   * identity, as {@code p.data = x} does in Python. Its kernel checks that the types are compatible
   * before it changes anything.
   */
  public static final AtenOp SET_DATA =
      AtenOp.parseMutating("aten::set_data(Tensor(a!) self, Tensor new_data) -> ()");

  private AtenOps() {}
}
