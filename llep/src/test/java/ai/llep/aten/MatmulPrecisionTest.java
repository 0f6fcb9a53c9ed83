package ai.llep.aten;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * libtorch's TF32 switch, set and read back through the process's own libtorch (the CPU build has
 * the same {@code at::Context} as a CUDA one; only CUDA products read it).
 */
class MatmulPrecisionTest {
  @Test
  void theSwitchIsLibtorchsOwnAndReadsBackWhatWasSet() {
    boolean before = Aten.tf32MatmulAllowed();
    try {
      Aten.allowTf32Matmul(true);
      assertTrue(Aten.tf32MatmulAllowed());
      Aten.allowTf32Matmul(false);
      assertFalse(
          Aten.tf32MatmulAllowed(),
          "off again (unless TORCH_ALLOW_TF32_CUBLAS_OVERRIDE=1 forces it on in this process)");
    } finally {
      Aten.allowTf32Matmul(before);
    }
  }
}
