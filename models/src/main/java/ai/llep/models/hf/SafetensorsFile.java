package ai.llep.models.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A safetensors file, mapped once and read one tensor at a time: {@link #read} copies only that
 * tensor's bytes, so a rank that owns a few experts touches only their pages of a large shard.
 *
 * <p>The header is validated when the file is opened; errors name the file and the tensor. Not
 * thread-confined: reads may run on several threads, but not concurrently with {@link #close}.
 *
 * <p>A file cut short after it was mapped: each read first compares the file's size with the
 * tensor's end (the channel stays open for this, so a file replaced under the same name is not
 * mistaken for this one), and fails naming the file. A file truncated during the copy itself faults
 * the mapping; the JVM (25) turns that fault into an {@link InternalError}, which becomes the same
 * error here. The process does not crash either way.
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

  private final FileChannel channel;
  private final MemorySegment file;
  private final SafetensorsHeader header;

  private SafetensorsFile(
      Path path, Arena arena, FileChannel channel, MemorySegment file, SafetensorsHeader header) {
    this.path = path;
    this.label = path.toString();
    this.arena = arena;
    this.channel = channel;
    this.file = file;
    this.header = header;
  }

  /** Maps {@code path} and validates its header; an {@link IOException} names what is wrong. */
  public static SafetensorsFile open(Path path) throws IOException {
    Arena arena = Arena.ofShared();
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    try {
      MemorySegment file = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
      SafetensorsHeader header = SafetensorsHeader.parse(path.toString(), file);
      return new SafetensorsFile(path, arena, channel, file, header);
    } catch (IOException | RuntimeException e) {
      arena.close();
      channel.close();
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

  @Override
  public Optional<String> integerStorage(String name) {
    SafetensorsDtype dtype = entry(name).dtype();
    return dtype.loadedAs.isFloating() ? Optional.empty() : Optional.of(dtype.name());
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
    MemorySegment stored = stored(entry);
    try {
      return TensorLoader.load(stored, entry, manager, computeType, maxChunkBytes);
    } catch (InternalError e) {
      throw changedWhileMapped(entry, e);
    }
  }

  /**
   * The number of NaN and infinite values {@code name} holds, read from the mapped bytes (0 for an
   * integer tensor). NOTE: reads every byte of the tensor.
   */
  public long countNonFinite(String name) {
    TensorEntry entry = entry(name);
    MemorySegment stored = stored(entry);
    try {
      return NonFiniteScan.count(stored, entry.dtype());
    } catch (InternalError e) {
      throw changedWhileMapped(entry, e);
    }
  }

  /** The tensor's bytes, after checking that the file still holds them. */
  private MemorySegment stored(TensorEntry entry) {
    long end = header.dataStart() + entry.end();
    long size;
    try {
      size = channel.size();
    } catch (IOException e) {
      throw new UncheckedIOException(label + ": cannot read its size: " + e.getMessage(), e);
    }
    if (size < end) {
      throw new UncheckedIOException(
          new IOException(
              label
                  + " was truncated to "
                  + size
                  + " bytes after it was opened; tensor '"
                  + entry.name()
                  + "' ends at byte "
                  + end));
    }
    return file.asSlice(header.dataStart() + entry.begin(), entry.byteSize());
  }

  private UncheckedIOException changedWhileMapped(TensorEntry entry, InternalError e) {
    return new UncheckedIOException(
        new IOException(
            label
                + ": the file changed while tensor '"
                + entry.name()
                + "' was read from it (truncated?): "
                + e.getMessage(),
            e));
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
      try {
        channel.close();
      } catch (IOException ignored) {
        // Read-only: closing cannot lose data.
      }
    }
  }
}
