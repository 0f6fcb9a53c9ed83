package ai.llep.models.hf;

import static ai.llep.models.hf.HandMadeFile.le;
import static ai.llep.models.hf.HandMadeFile.raw;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed file gives an error that names the file, the tensor and what is wrong. */
class SafetensorsValidationTest {
  @TempDir Path dir;

  private String error(byte[] bytes) throws IOException {
    Path path = Files.write(dir.resolve("bad.safetensors"), bytes);
    String message = assertThrows(IOException.class, () -> SafetensorsFile.open(path)).getMessage();
    assertTrue(message.startsWith(path + ": "), message);
    return message.substring(path.toString().length() + 2);
  }

  private String error(String header, byte[] data) throws IOException {
    return error(raw(header.getBytes(StandardCharsets.UTF_8), data));
  }

  private static String tensor(String name, String dtype, String shape, long begin, long end) {
    return "\"%s\":{\"dtype\":\"%s\",\"shape\":%s,\"data_offsets\":[%d,%d]}"
        .formatted(name, dtype, shape, begin, end);
  }

  @Test
  void tooShortForTheLength() throws IOException {
    assertEquals("4 bytes, too short for a safetensors file", error(new byte[4]));
  }

  @Test
  void headerLengthPastTheEndOfTheFile() throws IOException {
    byte[] bytes = Arrays.copyOf(le(8, 1000), 50);
    assertEquals("header length 1000 runs past the end of the file (50 bytes)", error(bytes));
  }

  @Test
  void headerTooLarge() throws IOException {
    assertEquals(
        "header length 100000001 is outside [0, 100000000]",
        error(Arrays.copyOf(le(8, 100_000_001), 16)));
    assertEquals("header length -1 is outside [0, 100000000]", error(Arrays.copyOf(le(8, -1), 16)));
  }

  @Test
  void headerNotJson() throws IOException {
    assertTrue(error("{\"a\": nope}", new byte[0]).startsWith("header is not valid JSON: "));
    assertTrue(error("{a:1}", new byte[0]).startsWith("header is not valid JSON: "));
    assertTrue(error("{} {}", new byte[0]).startsWith("header is not valid JSON: "));
    assertEquals(
        "header is not valid JSON: the header is not a JSON object", error("[1, 2]", new byte[0]));
    assertEquals(
        "header is not valid UTF-8",
        error(raw(new byte[] {'{', '"', (byte) 0xC3, '"', '}'}, new byte[0])));
  }

  @Test
  void unknownDtype() throws IOException {
    assertEquals(
        "tensor 'w' has unknown dtype 'F8_E4M3'",
        error("{" + tensor("w", "F8_E4M3", "[2]", 0, 2) + "}", new byte[2]));
  }

  @Test
  void badFieldTypes() throws IOException {
    assertEquals(
        "tensor 'w' field 'shape' holds 1.5, not a non-negative integer",
        error("{" + tensor("w", "F32", "[1.5]", 0, 4) + "}", new byte[4]));
    assertEquals(
        "tensor 'w' field 'shape' holds -1, not a non-negative integer",
        error("{" + tensor("w", "F32", "[-1]", 0, 4) + "}", new byte[4]));
    assertEquals(
        "tensor 'w' has no array field 'data_offsets'",
        error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]));
    assertEquals(
        "tensor 'w' field 'data_offsets' has 3 entries, expected 2",
        error("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", new byte[4]));
    assertEquals(
        "__metadata__ value of 'n' is not a string",
        error("{\"__metadata__\":{\"n\":1}}", new byte[0]));
  }

  @Test
  void truncatedData() throws IOException {
    assertEquals(
        "tensor 'w' ends at data byte 16 but the file holds only 12 data bytes (truncated?)",
        error("{" + tensor("w", "F32", "[4]", 0, 16) + "}", new byte[12]));
  }

  @Test
  void offsetsNotMatchingShapeAndDtype() throws IOException {
    assertEquals(
        "tensor 'w' has data_offsets [0, 4] holding 4 bytes, but shape [2] of F32 needs 8",
        error("{" + tensor("w", "F32", "[2]", 0, 4) + "}", new byte[4]));
    assertEquals(
        "tensor 'w' has data_offsets [8, 4] with end < begin",
        error("{" + tensor("w", "F32", "[1]", 8, 4) + "}", new byte[8]));
  }

  @Test
  void overlappingTensors() throws IOException {
    String header =
        "{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}";
    assertEquals("tensors 'a' and 'b' overlap", error(header, new byte[12]));
  }

  @Test
  void bytesThatBelongToNoTensor() throws IOException {
    String gap =
        "{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("b", "F32", "[1]", 8, 12) + "}";
    assertEquals(
        "data bytes [4, 8) before tensor 'b' belong to no tensor", error(gap, new byte[12]));
    assertEquals(
        "data bytes [4, 6) after the last tensor belong to no tensor",
        error("{" + tensor("a", "F32", "[1]", 0, 4) + "}", new byte[6]));
  }

  @Test
  void acceptsAnEmptyFileOfTensors() throws IOException {
    Path path = Files.write(dir.resolve("empty.safetensors"), raw("{}".getBytes(), new byte[0]));
    try (SafetensorsFile file = SafetensorsFile.open(path)) {
      assertTrue(file.names().isEmpty());
    }
  }
}
