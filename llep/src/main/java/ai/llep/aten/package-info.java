/**
 * ATen operators DJL lacks, called by name on DJL's own tensors through libtorch's stable C ABI
 * ({@code java.lang.foreign}, no C code): bfloat16 casts, fused attention, scatter-add, grouped
 * matrix products, all through the full dispatcher, so autograd records them and DJL's backward
 * runs through them. {@link ai.llep.aten.Aten} holds the operators the project uses; {@link
 * ai.llep.aten.AtenCall} calls any {@link ai.llep.aten.AtenOp} declared by its schema text.
 *
 * <h2>The calling convention</h2>
 *
 * <p>{@code aoti_torch_call_dispatcher(name, overload, stack)} (and from 2.10 {@code
 * torch_call_dispatcher(..., extension_build_version)}, which this binding uses where present,
 * declaring its schemas to be those of 2.10) reads one 64-bit slot per schema argument, in schema
 * order, converts them to IValues, runs the operator, and writes the returns to the first slots:
 *
 * <ul>
 *   <li>{@code Tensor}: an {@code AtenTensorHandle}, i.e. a {@code torch::Tensor*}, which is what a
 *       DJL {@code PtNDArray} handle is. libtorch takes the handle over and deletes it, so each
 *       argument is a fresh handle from {@code aoti_torch_new_tensor_handle} (sharing storage);
 *       returned tensors are new handles, wrapped as {@code PtNDArray} so DJL frees them.
 *   <li>{@code int}, {@code SymInt}: the int64; {@code float}: the double's bits; {@code bool}: 0
 *       or 1; {@code ScalarType}: the code of libtorch's {@code aoti_torch_dtype_*()} getter
 *       (bfloat16 is 15 in 2.7.1 and 2.11, but the getters are the contract).
 *   <li>{@code Device}: before 2.10 the slot's first two bytes are copied into a {@code
 *       c10::Device} (type byte, index byte); from 2.10 the index is the low 32 bits and the type
 *       the high 32.
 *   <li>{@code T?}: 0 for None; otherwise the address of an 8-byte box holding T's slot value,
 *       which libtorch frees with {@code delete} once read. So the box must come from libtorch's
 *       C++ allocator: {@code torch_new_stable_ivalue} from 2.13, before that {@code operator
 *       new(8)} resolved the way libtorch's own references to it are (global scope, then libtorch's
 *       dependencies). A box from a Java arena would be freed by the wrong allocator.
 *   <li>{@code int[]}, {@code Tensor[]}: a list handle from {@code torch_new_list_reserve_size},
 *       consumed with its elements. Only from 2.10: libtorch 2.7.1 converts no list (nor {@code
 *       str}); a call that needs one fails with {@link java.lang.UnsupportedOperationException}
 *       before any native object is made.
 *   <li>{@code Scalar} (as in {@code index_add}'s {@code alpha}): no version up to 2.13 converts
 *       one; {@link ai.llep.aten.AtenOp#parse} refuses such schemas, and {@link
 *       ai.llep.aten.Aten#indexAdd} is built on {@code scatter_add} instead.
 *   <li>Eight zero slots follow the declared arguments: a later libtorch whose schema appended
 *       optional arguments (2.13 added two to {@code _flash_attention_forward}) reads None there.
 *   <li>Returns: libtorch pairs the value popped from the end of its result list with the type of
 *       the return at the other end, so only schemas whose returns are all of one kind are
 *       accepted.
 * </ul>
 *
 * <h2>Ownership</h2>
 *
 * <ol>
 *   <li>The caller's DJL tensors are never handed over: each tensor argument is a fresh handle.
 *   <li>If the call succeeds, libtorch has consumed every fresh handle, box and list. Each returned
 *       tensor is at once a {@code PtNDArray} under the manager the caller gave (for {@link
 *       ai.llep.aten.Aten}: the first tensor argument's manager), which frees it; nothing is left
 *       unowned even if the caller drops the result.
 *   <li>If it fails, libtorch had either found the operator (then it had converted, hence taken
 *       over, every argument: the binding only builds arguments of the declared kinds with valid
 *       codes, and the found operator fails at the earliest in its kernel), or not ("Could not find
 *       schema for ..."; then it had read nothing, and the binding frees everything it made). The
 *       failure's message decides; without a message the binding assumes "found", so an unknown
 *       failure can leak but never free twice.
 *   <li>In-place and {@code out=} overloads are refused, so that a failed call can be repeated.
 * </ol>
 *
 * <h2>Errors</h2>
 *
 * <p>A failed call returns a non-zero code. libtorch 2.13 keeps the message per thread ({@code
 * torch_exception_get_what_without_backtrace}); 2.7.1 and 2.11 only log {@code Exception in
 * aoti_torch: <message>} to standard error. There the binding repeats the (functional) call on
 * fresh arguments with file descriptor 2 redirected to an in-memory file, reads the message out,
 * and hands everything else that was captured back to standard error. The {@link
 * ai.llep.aten.AtenException} names the operator and overload, carries libtorch's message and lists
 * the arguments (tensors as shape, dtype, device).
 *
 * <h2>Versions</h2>
 *
 * <p>Checked by this package's tests on DJL's CPU libtorch 2.7.1 (CI). Against the CPU torch 2.13,
 * by hand from Python through {@code ctypes}: lists, {@code torch_call_dispatcher} with a 2.10
 * build version, the kept error text (2.13 logs nothing). Against torch 2.11.0+cu130 on one H200,
 * the same conventions from Python through {@code ctypes} (the JVM has not run on a GPU with this
 * package: that needs a DJL JNI built for 2.11): optional boxes from {@code operator new};
 * variable-length {@code _flash_attention_forward} (15 arguments in 2.11, as declared here) in
 * bfloat16 with its backward, within bfloat16 rounding of float32 attention per segment; {@code
 * _grouped_mm} in bfloat16 with its backward; {@code _to_copy} to {@code cuda:0} with the 2.10
 * Device packing; failures logged as {@code Exception in aoti_torch: ...} (2.11 has neither {@code
 * torch_new_stable_ivalue} nor {@code torch_exception_get_what_without_backtrace}). {@code
 * _grouped_mm} does not exist in 2.7.1. The GPU tests ({@code AtenGpuTest}, tagged {@code gpu}) run
 * these operators through this package where DJL has a CUDA libtorch.
 *
 * <h2>bfloat16 and DJL</h2>
 *
 * <p>DJL 0.36 reports a bfloat16 tensor's dtype as {@code UNKNOWN}; {@link
 * ai.llep.aten.DjlTensors#dtype} asks libtorch and corrects DJL's cached value, and every result of
 * this package carries its true dtype. {@link ai.llep.aten.Aten} lists the DJL calls that abort the
 * JVM on bfloat16 and their replacements here.
 */
package ai.llep.aten;
