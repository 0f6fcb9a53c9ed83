package ai.llep.models.family.gptoss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.models.family.HfConfigParser;
import ai.llep.models.family.ModelConfig;
import ai.llep.models.family.ModelFamily;
import ai.llep.models.family.TensorNames;
import ai.llep.models.hf.HfCheckpoint;
import ai.llep.models.hf.SafetensorsFile;
import ai.llep.models.hf.TensorSource;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * gpt-oss experts stored in MXFP4 ({@code fixtures/mxfp4/gpt-oss}, made by {@code
 * scripts/fixtures/make-mxfp4-fixture.py}): each expert read on its own equals, bit for bit, the
 * slice of what transformers' conversion made of the whole stack.
 */
class Mxfp4FixtureTest {
  static Path fixture() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("fixtures").resolve("mxfp4").resolve("gpt-oss");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no fixtures/mxfp4/gpt-oss above the working directory");
  }

  @Test
  void everyExpertDequantizesAsTransformersDoes() throws Exception {
    Path folder = fixture();
    try (HfCheckpoint checkpoint = HfCheckpoint.open(folder.resolve("model"));
        SafetensorsFile expected = SafetensorsFile.open(folder.resolve("dequantized.safetensors"));
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      ModelConfig config = HfConfigParser.parse(checkpoint.configText());
      TensorSource source = new GptOss().checkpointSource(checkpoint, config);
      TensorNames names = new TensorNames(ModelFamily.GPT_OSS);
      assertFalse(
          source.names().stream().anyMatch(n -> n.endsWith("_blocks") || n.endsWith("_scales")),
          "the blocks and scales are hidden behind the experts they encode");
      int compared = 0;
      for (int layer = 0; layer < config.numLayers(); layer++) {
        for (String proj : new String[] {"gate_up", "down"}) {
          String stacked = StackedExperts.stackedName(layer, proj);
          float[] all = expected.read(stacked, manager, DataType.FLOAT32).toFloatArray();
          Shape stack = expected.shape(stacked);
          int perExpert = Math.toIntExact(stack.size() / stack.get(0));
          for (int e = 0; e < config.numExperts(); e++) {
            String name = names.expertWeight(layer, e, proj);
            assertEquals(stack.slice(1), source.shape(name), name);
            NDArray read = source.read(name, manager, DataType.FLOAT32);
            float[] want = new float[perExpert];
            System.arraycopy(all, e * perExpert, want, 0, perExpert);
            assertArrayEquals(bits(want), bits(read.toFloatArray()), name + " bit for bit");
            compared++;
          }
        }
      }
      assertEquals(2 * config.numLayers() * config.numExperts(), compared);
    }
  }

  @Test
  void decodesNibblesLowFirstWithTheBlockScale() {
    // Byte 0x71: low nibble 1 (0.5), high nibble 7 (6); scale 128 = 2^1. Byte 0xF8: -0 and -6.
    byte[] blocks = new byte[16];
    blocks[0] = 0x71;
    blocks[1] = (byte) 0xF8;
    float[] out = Mxfp4.dequantizeTransposed(blocks, new byte[] {(byte) 128}, 1, 32);
    assertEquals(1f, out[0]);
    assertEquals(12f, out[1]);
    assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(out[2]));
    assertEquals(-12f, out[3]);
    assertTrue(Float.isInfinite(Mxfp4.dequantizeTransposed(blocks, new byte[] {-1}, 1, 32)[1]));
  }

  private static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }
}
