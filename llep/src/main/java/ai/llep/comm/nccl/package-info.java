/**
 * The NCCL communicator: NCCL called through {@code java.lang.foreign}, no C code. All NCCL
 * downcalls live in {@link ai.llep.comm.nccl.NcclLibrary}; the communicator talks to them through
 * the small {@code NcclApi} interface, so its logic (splits, groups, the watchdog) is tested on CPU
 * against an in-process fake.
 *
 * <p>Ordering with libtorch: DJL never sets a CUDA stream, so libtorch queues every kernel of a
 * device on that device's legacy default stream (stream 0). NCCL's work is queued on the same
 * stream, so it starts after the kernels that produced its inputs and the kernels that read its
 * results start after it, by stream order alone, with no device-wide synchronisation; buffers that
 * libtorch's caching allocator hands out or reclaims in between are safe for the same reason, and a
 * host copy of a result (which libtorch also queues on stream 0) waits for it too. Small
 * collectives are awaited by their caller; all-to-all-v and send-recv are left in flight under a
 * watchdog thread that polls an event recorded after them, so that a dead peer is detected by a
 * deadline either way.
 */
package ai.llep.comm.nccl;
