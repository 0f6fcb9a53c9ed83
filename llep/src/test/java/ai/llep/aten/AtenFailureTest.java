package ai.llep.aten;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Failed calls: libtorch's message in the exception with the operator and the arguments, and no
 * native object left over or freed twice, whether libtorch had found the operator (then it owned
 * the arguments) or not (then they were still ours).
 */
class AtenFailureTest {
  private static final AtenOp MISSING =
      AtenOp.parse("aten::llep_no_such_op(Tensor self, Tensor? other, int? n) -> Tensor");

  @AfterEach
  void nothingIsLeftOver() {
    assertEquals(0, NativeStack.outstanding(), "handles, boxes and lists not settled");
  }

  @Test
  void aKernelErrorCarriesLibtorchsMessageTheOperatorAndTheArguments() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray q = m.zeros(new Shape(1, 2, 4, 8));
      NDArray k = m.zeros(new Shape(1, 2, 5, 7));
      AtenException e =
          assertThrows(
              AtenException.class,
              () -> Aten.scaledDotProductAttention(q, k, k, null, true, 0.5, false));
      assertTrue(
          e.getMessage().startsWith("aten::scaled_dot_product_attention failed: "), e.getMessage());
      assertTrue(e.libtorchMessage().contains("[2, 8]"), e.libtorchMessage());
      assertTrue(e.libtorchMessage().contains("[2, 7]"), e.libtorchMessage());
      assertTrue(!e.libtorchMessage().contains("frame #"), "no backtrace: " + e.getMessage());
      assertTrue(
          e.getMessage()
              .endsWith(
                  "arguments: query=Tensor(1, 2, 4, 8) float32 cpu(), key=Tensor(1, 2, 5, 7)"
                      + " float32 cpu(), value=Tensor(1, 2, 5, 7) float32 cpu(), attn_mask=None,"
                      + " dropout_p=0.0, is_causal=true, scale=0.5, enable_gqa=false"),
          e.getMessage());
    }
  }

  @Test
  void aMissingOperatorFreesTheArgumentsItNeverRead() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.zeros(new Shape(3));
      AtenException e =
          assertThrows(
              AtenException.class,
              () -> AtenCall.of(MISSING).tensor(x).tensor(x).integer(4).run(m));
      assertEquals("Could not find schema for aten::llep_no_such_op.", e.libtorchMessage());
      assertTrue(e.getMessage().contains("other=Tensor(3) float32 cpu(), n=4"), e.getMessage());
    }
  }

  @Test
  void groupedMatmulIsAbsentBefore2_8() {
    assumeFalse(Aten.libtorchVersion().atLeast(new AbiVersion(2, 8, 0)));
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray a = m.zeros(new Shape(4, 8));
      NDArray b = m.zeros(new Shape(2, 8, 3));
      NDArray offs = m.create(new int[] {2, 4});
      AtenException e =
          assertThrows(AtenException.class, () -> Aten.groupedMm(a, b, offs, DataType.FLOAT32));
      assertEquals("Could not find schema for aten::_grouped_mm.", e.libtorchMessage());
    }
  }

  @Test
  void flashAttentionIsFoundButHasNoCpuKernel() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray q = Aten.cast(m.zeros(new Shape(6, 2, 8)), DataType.BFLOAT16);
      NDArray cu = m.create(new int[] {0, 2, 6});
      AtenException e =
          assertThrows(
              AtenException.class, () -> Aten.flashAttentionVarlen(q, q, q, cu, 4, 0.3, true));
      assertTrue(
          e.libtorchMessage().startsWith("Could not run 'aten::_flash_attention_forward'"),
          e.libtorchMessage());
      assertTrue(e.getMessage().contains("query=Tensor(6, 2, 8) bfloat16 cpu()"), e.getMessage());
    }
  }

  @Test
  void listsNeedLibtorch2_10AndNothingIsMadeBefore() {
    AtenOp cat = AtenOp.parse("aten::cat(Tensor[] tensors, int dim=0) -> Tensor");
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.create(new float[] {1, 2});
      AtenCall call = AtenCall.of(cat).tensors(List.of(x, x)).integer(0);
      if (Aten.libtorchVersion().atLeast(AbiVersion.V2_10)) {
        assertEquals(new Shape(4), call.run(m).tensor(0).getShape());
        return;
      }
      UnsupportedOperationException e =
          assertThrows(UnsupportedOperationException.class, () -> call.run(m));
      assertEquals(
          "aten::cat takes a list argument; libtorch 2.7.1's stable ABI has no lists (they came"
              + " in 2.10)",
          e.getMessage());
    }
  }

  @Test
  void argumentsAreCheckedAgainstTheSchemaBeforeAnythingIsMade() {
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray x = m.zeros(new Shape(2));
      IllegalArgumentException kind =
          assertThrows(
              IllegalArgumentException.class,
              () -> AtenCall.of(AtenOps.SCATTER_ADD).tensor(x).tensor(x));
      assertEquals("aten::scatter_add argument 1 (dim) is int, got Tensor", kind.getMessage());
      IllegalStateException missing =
          assertThrows(
              IllegalStateException.class,
              () -> AtenCall.of(AtenOps.SCATTER_ADD).tensor(x).integer(0).run(m));
      assertEquals(
          "aten::scatter_add takes 4 arguments, 2 given; next is index", missing.getMessage());
      assertThrows(IllegalArgumentException.class, () -> AtenCall.of(AtenOps.SCATTER_ADD).none());
      NDArray closed = m.zeros(new Shape(2));
      closed.close();
      assertThrows(IllegalStateException.class, () -> Aten.cast(closed, DataType.FLOAT16));
    }
  }

  /**
   * A leaked handle keeps its tensor's storage alive; a tensor of 64 MiB makes that visible in the
   * process's resident memory once every DJL reference to it is closed.
   */
  @Test
  void noStorageOutlivesItsTensorAfterSuccessesAndBothKindsOfFailure() {
    assumeTrue(Aten.libtorchVersion() != null);
    long bytes = 64L << 20;
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      long before = AtenTesting.residentBytes();
      NDArray big = m.ones(new Shape(bytes / 4));
      long held = AtenTesting.residentBytes();
      assertTrue(held - before > bytes / 2, "the tensor's pages are resident");
      for (int i = 0; i < 3; i++) {
        Aten.cast(big, DataType.FLOAT16).close();
        assertThrows(
            AtenException.class, () -> AtenCall.of(MISSING).tensor(big).tensor(big).none().run(m));
        NDArray floatIndex = m.zeros(new Shape(bytes / 4));
        assertThrows(AtenException.class, () -> Aten.scatterAdd(big, 0, floatIndex, big));
        floatIndex.close();
      }
      big.close();
      long after = AtenTesting.residentBytes();
      assertTrue(
          held - after > bytes * 3 / 4,
          "resident memory fell by " + ((held - after) >> 20) + " MiB after closing 64 MiB");
    }
  }
}
