/**
 * The device edge: the CUDA runtime through {@code java.lang.foreign} (device count and selection,
 * synchronisation, memory, events), peak device memory of a region, and tensors' data addresses for
 * native libraries. Nothing here needs a GPU to load: every entry point that does reports what is
 * missing.
 */
package ai.llep.device;
