/**
 * Hugging Face checkpoint IO: safetensors files read by mapping them with {@code java.lang.foreign}
 * and copying one tensor at a time into DJL, sharded model folders ({@code config.json}, {@code
 * model.safetensors} or {@code model.safetensors.index.json} and its shards), and writers for both
 * that never leave a half-written file or folder behind.
 *
 * <p>DJL's PyTorch engine has no bfloat16 and aborts the JVM when asked for it, so BF16 (and I16,
 * which DJL's JNI type table also lacks) are widened in Java before any byte reaches DJL.
 */
package ai.llep.models.hf;
