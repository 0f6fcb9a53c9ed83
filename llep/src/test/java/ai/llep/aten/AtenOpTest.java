package ai.llep.aten;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Operator declarations: what the schema parser reads, and what it refuses to carry. */
class AtenOpTest {
  @Test
  void readsNamesOverloadsKindsAndReturns() {
    AtenOp op =
        AtenOp.parse(
            "aten::sort.stable(Tensor self, *, bool? stable, int dim=-1, bool descending=False)"
                + " -> (Tensor values, Tensor indices)");
    assertEquals("aten::sort", op.name());
    assertEquals("stable", op.overload());
    assertEquals("aten::sort.stable", op.qualifiedName());
    assertEquals(
        List.of(ArgKind.TENSOR, ArgKind.OPTIONAL_BOOL, ArgKind.INT, ArgKind.BOOL),
        op.arguments().stream().map(AtenOp.Argument::kind).toList());
    assertEquals("descending", op.arguments().get(3).name());
    assertEquals(List.of(ReturnKind.TENSOR, ReturnKind.TENSOR), op.returns());
    assertFalse(op.needsLists());
  }

  @Test
  void declaredOperatorsParse() {
    assertEquals(15, AtenOps.FLASH_ATTENTION_FORWARD.arguments().size());
    assertEquals(5, AtenOps.FLASH_ATTENTION_FORWARD.returns().size());
    assertEquals(ArgKind.INT, AtenOps.FLASH_ATTENTION_FORWARD.arguments().get(5).kind());
    assertEquals(ArgKind.OPTIONAL_NONE_ONLY, AtenOps.TO_COPY.arguments().get(2).kind(), "layout");
    assertEquals("", AtenOps.SCATTER_ADD.overload());
  }

  @Test
  void inPlaceOptimizerKernelsAreDeclaredOnlyAsMutating() {
    AtenOp adamw = AtenOps.FUSED_ADAMW;
    assertTrue(adamw.mutating());
    assertTrue(adamw.needsLists());
    assertEquals(15, adamw.arguments().size());
    assertEquals(ArgKind.TENSOR_LIST, adamw.arguments().get(0).kind());
    assertEquals(ArgKind.DOUBLE, adamw.arguments().get(6).kind(), "lr");
    assertEquals(ArgKind.OPTIONAL_TENSOR, adamw.arguments().get(14).kind(), "found_inf");
    assertEquals(List.of(), adamw.returns());
    String schema = "aten::mul_.Tensor(Tensor(a!) self, Tensor other) -> Tensor";
    assertThrows(IllegalArgumentException.class, () -> AtenOp.parse(schema));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AtenOp.parseMutating(schema));
    assertEquals("aten::mul_.Tensor: an in-place call returns nothing", e.getMessage());
    assertFalse(AtenOps.SCATTER_ADD.mutating());
  }

  @Test
  void inPlaceElementwiseOverloadsReturnSelf() {
    assertTrue(AtenOps.EXP_.mutating());
    assertEquals(List.of(ReturnKind.TENSOR), AtenOps.EXP_.returns());
    assertEquals(4, AtenOps.SCATTER_ADD_.arguments().size());
    String nothing = "aten::_fused_sgd_(Tensor(a!)[] self, float lr) -> ()";
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AtenOp.parseInPlace(nothing));
    assertEquals("aten::_fused_sgd_: an in-place call returns self", e.getMessage());
  }

  @Test
  void listsAliasesAndFixedSizesAreRead() {
    AtenOp op = AtenOp.parse("aten::permute(Tensor(a) self, int[] dims) -> Tensor(a)");
    assertEquals(ArgKind.TENSOR, op.arguments().get(0).kind());
    assertEquals(ArgKind.INT_LIST, op.arguments().get(1).kind());
    assertTrue(op.needsLists());
    AtenOp cat = AtenOp.parse("aten::cat(Tensor[] tensors, int dim=0) -> Tensor");
    assertEquals(ArgKind.TENSOR_LIST, cat.arguments().get(0).kind());
    AtenOp sum =
        AtenOp.parse("aten::amax(Tensor self, int[1] dim=[], bool keepdim=False) -> Tensor");
    assertEquals(ArgKind.INT_LIST, sum.arguments().get(1).kind());
  }

  @Test
  void scalarsStringsOutputsAndMixedReturnsAreRefused() {
    IllegalArgumentException scalar =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AtenOp.parse(
                    "aten::index_add(Tensor self, int dim, Tensor index, Tensor source, *,"
                        + " Scalar alpha=1) -> Tensor"));
    assertEquals(
        "aten::index_add: argument alpha of type Scalar cannot be passed through the stable ABI"
            + " by this binding (no libtorch up to 2.13 converts a Scalar)",
        scalar.getMessage());
    IllegalArgumentException out =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                AtenOp.parse(
                    "aten::scatter_add.out(Tensor self, int dim, Tensor index, Tensor src, *,"
                        + " Tensor(a!) out) -> Tensor(a!)"));
    assertTrue(out.getMessage().contains("argument out is written to (Tensor(a!))"));
    assertThrows(
        IllegalArgumentException.class,
        () -> AtenOp.parse("aten::foo(Tensor self, str reduce) -> Tensor"));
    IllegalArgumentException mixed =
        assertThrows(
            IllegalArgumentException.class,
            () -> AtenOp.parse("aten::foo(Tensor self) -> (Tensor a, SymInt b)"));
    assertEquals("aten::foo: returns of mixed kinds [TENSOR, INT]", mixed.getMessage());
  }
}
