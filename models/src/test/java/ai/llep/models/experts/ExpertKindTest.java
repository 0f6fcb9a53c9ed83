package ai.llep.models.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ExpertKindTest {
  @Test
  void parsesTheLabelsAndNamesTheKeyOnError() {
    assertEquals(ExpertKind.SWIGLU, ExpertKind.parse("bench.expert-function", " SwiGLU "));
    assertEquals(ExpertKind.GPT_OSS, ExpertKind.parse("bench.expert-function", "gpt-oss"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ExpertKind.parse("verify.expert-function", "gelu"));
    assertEquals("verify.expert-function must be swiglu or gpt-oss, got 'gelu'", e.getMessage());
  }

  @Test
  void namesOneTensorPerDeclaredShape() {
    for (ExpertKind kind : ExpertKind.values()) {
      for (boolean bias : new boolean[] {false, true}) {
        assertEquals(
            kind.function(8, 4, bias).expertShapes().size(),
            kind.tensorNames(bias).size(),
            kind + ", bias " + bias);
      }
    }
    assertEquals(new GptOssExperts(8, 4), ExpertKind.GPT_OSS.function(8, 4, false));
    assertEquals(new SwiGluExperts(8, 4, true), ExpertKind.SWIGLU.function(8, 4, true));
  }
}
