package ai.llep.models.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reading one tensor touches only its pages. The file is sparse: a 3 GiB tensor that is a hole
 * (never written, so never in the page cache) sits between two small ones. After reading the small
 * ones, pages deep inside the hole must still be absent from the page cache, which a reader that
 * scanned, checksummed or copied the whole file would have filled.
 */
class SafetensorsLazyReadTest {
  private static final long BIG = 3L << 30;

  @TempDir Path dir;

  @Test
  void readsOneTensorWithoutTouchingTheOthers() throws IOException {
    Path path = dir.resolve("sparse.safetensors");
    String header =
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"big\":{\"dtype\":\"U8\",\"shape\":["
            + BIG
            + "],\"data_offsets\":[8,"
            + (8 + BIG)
            + "]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":["
            + (8 + BIG)
            + ","
            + (16 + BIG)
            + "]}}";
    byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
    long dataStart = 8 + headerBytes.length;
    try (RandomAccessFile out = new RandomAccessFile(path.toFile(), "rw")) {
      out.setLength(dataStart + 16 + BIG);
      out.write(HandMadeFile.raw(headerBytes, HandMadeFile.f32(Float.NaN, -1f)));
      out.seek(dataStart + 8 + BIG);
      out.write(HandMadeFile.f32(3f, 4f));
    }
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        SafetensorsFile file = SafetensorsFile.open(path)) {
      assertArrayEquals(
          new float[] {3f, 4f}, file.read("b", manager, DataType.FLOAT32).toFloatArray());
      assertArrayEquals(
          new float[] {Float.NaN, -1f}, file.read("a", manager, DataType.FLOAT32).toFloatArray());
    }
    try (Arena arena = Arena.ofConfined();
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
      assertTrue(mapped.asSlice(dataStart + 8 + BIG, 8).isLoaded(), "the tensor read is cached");
      for (long at = 1L << 30; at < BIG; at += 1L << 30) {
        assertFalse(mapped.asSlice(dataStart + 8 + at, 8).isLoaded(), "page at " + at);
      }
    }
  }
}
