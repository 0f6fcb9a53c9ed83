package ai.llep.aten;

import static ai.llep.aten.AtenTesting.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.device.GpuPresence;
import ai.llep.tape.GradMode;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The binding on a CUDA libtorch: variable-length FlashAttention and grouped matrix products in
 * bfloat16 against float32 references (values and gradients), lists, and error messages read from a
 * CUDA build. Skipped where DJL has no CUDA libtorch.
 */
@Tag("gpu")
class AtenGpuTest {
  private static final int H = 4;
  private static final int G = 2;
  private static final int C = 64;
  private static final int[] SEGMENTS = {3, 5, 8};
  private static final double SCALE = 0.125;

  @BeforeEach
  void needsCuda() {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
  }

  @Test
  void variableLengthFlashAttentionMatchesEachSegmentAlone() {
    int tokens = java.util.Arrays.stream(SEGMENTS).sum();
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch");
        GradMode grad = GradMode.enabled()) {
      m.getEngine().setRandomSeed(3);
      NDArray q = leaf(m.randomNormal(new Shape(tokens, H, C)));
      NDArray k = leaf(m.randomNormal(new Shape(tokens, G, C)));
      NDArray v = leaf(m.randomNormal(new Shape(tokens, G, C)));
      NDArray upstream = m.randomNormal(new Shape(tokens, H, C));
      NDArray cu = m.create(new int[] {0, 3, 8, 16});
      NDArray out =
          Aten.flashAttentionVarlen(
              Aten.cast(q, DataType.BFLOAT16),
              Aten.cast(k, DataType.BFLOAT16),
              Aten.cast(v, DataType.BFLOAT16),
              cu,
              8,
              SCALE,
              true);
      assertEquals(DataType.BFLOAT16, out.getDataType());
      NDArray out32 = Aten.cast(out, DataType.FLOAT32);
      AtenTesting.backward(out32, upstream);
      float[] dq = AtenTesting.gradient(q);
      float[] dk = AtenTesting.gradient(k);

      NDArray q2 = leaf(q.duplicate());
      NDArray k2 = leaf(k.duplicate());
      NDArray v2 = leaf(v.duplicate());
      NDArray reference = perSegmentFloat32(q2, k2, v2);
      AtenTesting.backward(reference, upstream);
      assertClose(reference.toFloatArray(), out32.toFloatArray(), 3e-2, "output");
      assertClose(AtenTesting.gradient(q2), dq, 5e-2, "dq");
      assertClose(AtenTesting.gradient(k2), dk, 5e-2, "dk");
    }
  }

  @Test
  void bfloat16ProductsComeOutInFloat32Unrounded() {
    assumeTrue(Aten.mmToFloat32Supported(Device.gpu(0)), "no mm.dtype before libtorch 2.11");
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      m.getEngine().setRandomSeed(9);
      NDArray a = Aten.cast(m.randomNormal(new Shape(37, 64)), DataType.BFLOAT16);
      NDArray b = Aten.cast(m.randomNormal(new Shape(50, 64)), DataType.BFLOAT16);
      NDArray out = Aten.mmToFloat32(a, b.transpose());
      assertEquals(DataType.FLOAT32, Aten.dtype(out));
      NDArray reference =
          Aten.cast(a, DataType.FLOAT32).matMul(Aten.cast(b, DataType.FLOAT32).transpose());
      // Same rounded inputs, float32 accumulation on both sides: far below one bfloat16 step.
      assertClose(reference.toFloatArray(), out.toFloatArray(), 1e-5, "product");
    }
  }

  @Test
  void groupedMatmulMatchesOneMatmulPerGroup() {
    assumeTrue(Aten.libtorchVersion().atLeast(new AbiVersion(2, 8, 0)), "no _grouped_mm");
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch");
        GradMode grad = GradMode.enabled()) {
      m.getEngine().setRandomSeed(5);
      NDArray a = leaf(m.randomNormal(new Shape(48, 32)));
      NDArray b = leaf(m.randomNormal(new Shape(2, 32, 16)));
      NDArray offs = m.create(new int[] {16, 48});
      NDArray out =
          Aten.groupedMm(
              Aten.cast(a, DataType.BFLOAT16), Aten.cast(b, DataType.BFLOAT16), offs, null);
      NDArray out32 = Aten.cast(out, DataType.FLOAT32);
      NDArray upstream = m.randomNormal(new Shape(48, 16));
      AtenTesting.backward(out32, upstream);
      float[] da = AtenTesting.gradient(a);

      // The reference multiplies the same bfloat16-rounded inputs in float32, so that only the
      // grouped GEMM's accumulation and its bfloat16 output differ (one bfloat16 step is 2^-8).
      NDArray a2 = leaf(a.duplicate());
      NDArray b2 = leaf(b.duplicate());
      NDArray a2Rounded = Aten.cast(Aten.cast(a2, DataType.BFLOAT16), DataType.FLOAT32);
      NDArray b2Rounded = Aten.cast(Aten.cast(b2, DataType.BFLOAT16), DataType.FLOAT32);
      NDArray reference =
          a2Rounded
              .get(new NDIndex("0:16"))
              .matMul(b2Rounded.get(0))
              .concat(a2Rounded.get(new NDIndex("16:48")).matMul(b2Rounded.get(1)), 0);
      AtenTesting.backward(reference, upstream);
      assertClose(reference.toFloatArray(), out32.toFloatArray(), 1e-2, "output");
      assertClose(AtenTesting.gradient(a2), da, 5e-2, "da");
    }
  }

  @Test
  void listsRunFromLibtorch2_10() {
    assumeTrue(Aten.libtorchVersion().atLeast(AbiVersion.V2_10), "no lists");
    AtenOp cat = AtenOp.parse("aten::cat(Tensor[] tensors, int dim=0) -> Tensor");
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      NDArray x = Aten.cast(m.create(new float[] {1, 2}), DataType.BFLOAT16);
      NDArray y = AtenCall.of(cat).tensors(List.of(x, x)).integer(0).run(m).tensor(0);
      assertEquals(DataType.BFLOAT16, y.getDataType());
      assertEquals(
          List.of(1f, 2f, 1f, 2f),
          java.util.Arrays.asList(box(Aten.cast(y, DataType.FLOAT32).toFloatArray())));
      assertEquals(0, NativeStack.outstanding());
    }
  }

  @Test
  void aCudaBuildsFailureMessageIsRead() {
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      NDArray q = m.zeros(new Shape(1, 2, 4, 8));
      NDArray k = m.zeros(new Shape(1, 2, 5, 7));
      AtenException e =
          assertThrows(
              AtenException.class,
              () -> Aten.scaledDotProductAttention(q, k, k, null, true, 0.5, false));
      assertTrue(e.getMessage().contains("key=Tensor(1, 2, 5, 7) float32 gpu(0)"), e.getMessage());
      assertTrue(!e.libtorchMessage().startsWith("libtorch gave no message"), e.getMessage());
      assertEquals(0, NativeStack.outstanding());
    }
  }

  private static NDArray perSegmentFloat32(NDArray q, NDArray k, NDArray v) {
    NDArray out = null;
    int start = 0;
    for (int length : SEGMENTS) {
      NDIndex rows = new NDIndex(start + ":" + (start + length));
      NDArray part =
          Aten.scaledDotProductAttention(
                  heads(q.get(rows)),
                  heads(k.get(rows)),
                  heads(v.get(rows)),
                  null,
                  true,
                  SCALE,
                  true)
              .transpose(1, 0, 2);
      out = out == null ? part : out.concat(part, 0);
      start += length;
    }
    return out;
  }

  /** [L, n, C] to [n, L, C]. */
  private static NDArray heads(NDArray x) {
    return x.transpose(1, 0, 2);
  }

  private static NDArray leaf(NDArray x) {
    x.setRequiresGradient(true);
    return x;
  }

  private static Float[] box(float[] values) {
    Float[] out = new Float[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = values[i];
    }
    return out;
  }
}
