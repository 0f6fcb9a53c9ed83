package ai.llep.aten;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Version packing and the two Device encodings, and libtorch's failure log format. */
class AbiEncodingTest {
  @Test
  void versionsPackAsLibtorchReportsThem() {
    AbiVersion v = AbiVersion.fromPacked(0x0207010000000000L);
    assertEquals(new AbiVersion(2, 7, 1), v);
    assertEquals(0x0207010000000000L, v.packed());
    assertTrue(new AbiVersion(2, 11, 0).atLeast(AbiVersion.V2_10));
    assertTrue(!v.atLeast(AbiVersion.V2_10));
  }

  @Test
  void devicesAreTwoBytesBefore2_10AndTwoWordsFrom2_10() {
    assertEquals(0x0301L, DeviceCodes.pack(new AbiVersion(2, 7, 1), 1, 3));
    assertEquals(0xff00L, DeviceCodes.pack(new AbiVersion(2, 7, 1), 0, -1));
    assertEquals((1L << 32) | 3, DeviceCodes.pack(new AbiVersion(2, 11, 0), 1, 3));
    assertEquals(0xffffffffL, DeviceCodes.pack(new AbiVersion(2, 11, 0), 0, -1));
  }

  @Test
  void theFailureRecordIsCutOutOfCapturedText() {
    String text =
        "other writer\n"
            + "[E1202 02:21:16.58 shim_common.cpp:1537] Exception in aoti_torch: Expected size"
            + " [2, 8] but got: [2, 7].\n"
            + "Exception raised from common_checks at LinearAlgebra.cpp:301 (most recent call"
            + " first):\n"
            + "frame #0: c10::Error::Error + 0xb0\n"
            + "frame #1: [0x7f]\n"
            + "\n"
            + "later writer\n";
    LibTorchLog log = LibTorchLog.parse(text);
    assertEquals("Expected size [2, 8] but got: [2, 7].", log.message());
    assertEquals("other writer\nlater writer\n", log.rest());
    LibTorchLog plain = LibTorchLog.parse("[E1] Exception in aoti_torch: UNKNOWN\n");
    assertEquals("UNKNOWN", plain.message());
    assertEquals("", plain.rest());
    assertEquals(null, LibTorchLog.parse("nothing from libtorch\n").message());
  }
}
