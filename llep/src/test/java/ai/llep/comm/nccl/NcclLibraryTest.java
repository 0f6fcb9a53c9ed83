package ai.llep.comm.nccl;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.DataType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The C layouts and names of the NCCL binding, checked without the library. */
class NcclLibraryTest {
  @Test
  void theUniqueIdIsA128ByteStruct() {
    assertEquals(128, NcclLibrary.UNIQUE_ID.byteSize());
  }

  @Test
  void theConfigHasNccl214sLayoutAndAsksForANonBlockingCommunicator() {
    assertEquals(24, NcclLibrary.CONFIG_2_14.byteSize());
    assertEquals(8, NcclLibrary.CONFIG_2_14.byteOffset(PathElement.groupElement("magic")));
    assertEquals(12, NcclLibrary.CONFIG_2_14.byteOffset(PathElement.groupElement("version")));
    assertEquals(16, NcclLibrary.CONFIG_2_14.byteOffset(PathElement.groupElement("blocking")));
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment config = NcclLibrary.nonBlockingConfig(arena);
      assertEquals(24, config.get(JAVA_LONG, 0));
      assertEquals(0xcafebeef, config.get(JAVA_INT, 8));
      assertEquals(21400, config.get(JAVA_INT, 12));
      assertEquals(0, config.get(JAVA_INT, 16));
    }
  }

  @Test
  void theConfigKeyWinsOverTheEnvironmentWhichWinsOverTheDefaultName() {
    Map<String, String> env = Map.of(NcclLibrary.LIBRARY_ENV, "libnccl-env.so");
    assertEquals(List.of("libnccl-conf.so"), NcclLibrary.candidates("libnccl-conf.so", env));
    assertEquals(List.of("libnccl-env.so"), NcclLibrary.candidates("", env));
    assertEquals(List.of("libnccl.so.2", "libnccl.so"), NcclLibrary.candidates(" ", Map.of()));
  }

  @Test
  void aMissingLibraryIsNamedWithWhyItFailed() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> NcclLibrary.load("libnccl-absent.so.9"));
    assertTrue(
        e.getMessage().startsWith("cannot load the NCCL library; tried libnccl-absent.so.9 ("),
        e.getMessage());
  }

  @Test
  void dtypesMapToNcclsEnumValues() {
    assertEquals(7, NcclDataType.of(DataType.FLOAT32).code());
    assertEquals(6, NcclDataType.of(DataType.FLOAT16).code());
    assertEquals(8, NcclDataType.of(DataType.FLOAT64).code());
    assertEquals(4, NcclDataType.of(DataType.INT64).code());
    assertEquals(2, NcclDataType.of(DataType.INT32).code());
    assertEquals(1, NcclDataType.of(DataType.UINT8).code());
    assertEquals(0, NcclDataType.of(DataType.INT8).code());
    assertEquals(1, NcclDataType.of(DataType.BOOLEAN).code());
    assertEquals(9, NcclDataType.of(DataType.BFLOAT16).code());
    assertEquals(2, NcclDataType.bytesOf(9));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> NcclDataType.of(DataType.UINT16));
    assertTrue(e.getMessage().startsWith("the nccl communicator cannot move dtype"));
  }

  @Test
  void resultNamesFollowTheHeader() {
    assertEquals("ncclRemoteError", NcclResult.name(6));
    assertEquals("ncclInProgress", NcclResult.name(NcclResult.IN_PROGRESS));
    assertEquals("ncclResult 42", NcclResult.name(42));
  }
}
