package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file, mapped once and read one tensor at a time: {@link #read} copies only that
 * tensor's bytes, so a rank that owns a few experts touches only their pages of a large shard.
 *
 * <p>The header is validated when the file is opened; errors name the file and the tensor. Not
 * thread-confined: reads may run on several threads, but not concurrently with {@link #close}.
 */
public final class SafetensorsFile implements TensorSource, AutoCloseable {
  private final Path path;
  private final String label;

  /**
   * Owns the mapping. A shared arena, closed by {@link #close}: the file is unmapped at once rather
   * than whenever the garbage collector notices, so a closed checkpoint pins no address space or
   * deleted shard; shared rather than confined because tensors may be loaded from several threads.
   */
  private final Arena arena;

  private final MemorySegment file;
  private final SafetensorsHeader header;

  private SafetensorsFile(Path path, Arena arena, MemorySegment file, SafetensorsHeader header) {
    this.path = path;
    this.label = path.toString();
    this.arena = arena;
    this.file = file;
    this.header = header;
  }

  /** Maps {@code path} and validates its header; an {@link IOException} names what is wrong. */
  public static SafetensorsFile open(Path path) throws IOException {
    Arena arena = Arena.ofShared();
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
      SafetensorsHeader header = SafetensorsHeader.parse(path.toString(), file);
      return new SafetensorsFile(path, arena, file, header);
    } catch (IOException | RuntimeException e) {
      arena.close();
      throw e;
    }
  }

  public Path path() {
    return path;
  }

  /** The header's {@code __metadata__} (empty when absent). */
  public Map<String, String> metadata() {
    return header.metadata();
  }

  /** The tensor names, sorted. */
  @Override
  public Set<String> names() {
    return header.tensors().keySet();
  }

  @Override
  public Shape shape(String name) {
    return entry(name).djlShape();
  }

  /** The stored element type as the format names it ({@code "BF16"}, {@code "F32"}, ...). */
  public String storedType(String name) {
    return entry(name).dtype().name();
  }

  /**
   * Copies {@code name} into {@code manager} as {@code computeType}; BF16 is widened to float32 in
   * Java first.
   */
  @Override
  public NDArray read(String name, NDManager manager, DataType computeType) {
    return read(name, manager, computeType, TensorLoader.DEFAULT_MAX_CHUNK_BYTES);
  }

  NDArray read(String name, NDManager manager, DataType computeType, long maxChunkBytes) {
    TensorEntry entry = entry(name);
    MemorySegment stored = file.asSlice(header.dataStart() + entry.begin(), entry.byteSize());
    return TensorLoader.load(stored, entry, manager, computeType, maxChunkBytes);
  }

  /**
   * Copies rows {@code [first, first + count)} of {@code name} along its first dimension (e.g. some
   * experts of a stacked expert tensor) into {@code manager} as {@code computeType}; the other rows
   * are never read.
   */
  public NDArray readRows(
      String name, long first, long count, NDManager manager, DataType computeType) {
    TensorEntry entry = entry(name);
    MemorySegment rows = rowBytes(entry, first, count);
    long[] dims = entry.shape().clone();
    dims[0] = count;
    TensorEntry part = new TensorEntry(name, entry.dtype(), dims, 0, rows.byteSize());
    return TensorLoader.load(
        rows, part, manager, computeType, TensorLoader.DEFAULT_MAX_CHUNK_BYTES);
  }

  /** The stored bytes of rows {@code [first, first + count)} of a U8 tensor, copied. */
  public byte[] readRowBytes(String name, long first, long count) {
    TensorEntry entry = entry(name);
    if (entry.dtype() != SafetensorsDtype.U8) {
      throw new IllegalArgumentException(
          "tensor '" + name + "' in " + label + " is " + entry.dtype() + ", expected U8");
    }
    return rowBytes(entry, first, count).toArray(ValueLayout.JAVA_BYTE);
  }

  private MemorySegment rowBytes(TensorEntry entry, long first, long count) {
    long[] shape = entry.shape();
    if (shape.length == 0 || first < 0 || count < 1 || first + count > shape[0]) {
      throw new IllegalArgumentException(
          "rows ["
              + first
              + ", "
              + (first + count)
              + ") of tensor '"
              + entry.name()
              + "' "
              + entry.shapeText()
              + " in "
              + label
              + " do not exist");
    }
    long rowBytes = entry.byteSize() / shape[0];
    return file.asSlice(header.dataStart() + entry.begin() + first * rowBytes, count * rowBytes);
  }

  /**
   * Reads {@code name} after checking that its shape is {@code expected}; otherwise an error
   * "tensor X in file F has shape [a, b], expected [c, d]".
   */
  public NDArray readChecked(String name, Shape expected, NDManager manager, DataType computeType) {
    ShapeCheck.require(name, label, shape(name), expected);
    return read(name, manager, computeType);
  }

  TensorEntry entry(String name) {
    if (!arena.scope().isAlive()) {
      throw new IllegalStateException(label + " is closed");
    }
    TensorEntry entry = header.tensors().get(name);
    if (entry == null) {
      throw new IllegalArgumentException("no tensor '" + name + "' in " + label);
    }
    return entry;
  }

  /** Unmaps the file; arrays already read stay valid (they hold copies). */
  @Override
  public synchronized void close() {
    if (arena.scope().isAlive()) {
      arena.close();
    }
  }
}
