package ai.llep.trainer.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.llep.aten.Aten;
import ai.llep.device.GpuPresence;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * libtorch's fused AdamW (on a GPU, where libtorch takes lists) against the tensor-by-tensor
 * formula: the same parameters after several steps with and without weight decay, and after a save
 * and restore of the optimizer state in the middle.
 */
@Tag("gpu")
class AdamWFusedGpuTest {
  private static final AdamWConfig CONFIG = new AdamWConfig(0.9, 0.95, 1e-8, 0.1);
  private static final double[] LRS = {1e-2, 5e-3, 2e-2, 1e-3, 4e-3};
  private static final Shape[] SHAPES = {new Shape(256, 1024), new Shape(1024), new Shape(8, 3, 5)};

  @Test
  void fusedStepsEqualTheFormulaThroughARestore() {
    assumeTrue(GpuPresence.cudaDevices() > 0, GpuPresence.reason());
    assumeTrue(GpuPresence.djlCuda(), "DJL has no CUDA libtorch here");
    assumeTrue(Aten.listsSupported(), "this libtorch takes no lists through its stable ABI");
    Device gpu = Device.gpu();
    try (NDManager manager = NDManager.newBaseManager(gpu, "PyTorch")) {
      List<OptimParam> fusedParams = params(manager);
      List<OptimParam> plainParams = params(manager);
      AdamW fused = new AdamW(fusedParams, CONFIG);
      AdamW plain = new AdamW(plainParams, CONFIG, false);
      assertTrue(fused.fused());
      for (int step = 0; step < LRS.length; step++) {
        if (step == 2) {
          fused = restored(fused, fusedParams, manager);
        }
        try (NDManager scope = manager.newSubManager()) {
          Map<String, NDArray> grads = gradients(scope, step);
          fused.step(LRS[step], grads);
          plain.step(LRS[step], grads);
        }
        for (int i = 0; i < SHAPES.length; i++) {
          assertClose(plainParams.get(i).array(), fusedParams.get(i).array(), "step " + step);
        }
      }
      assertEquals(LRS.length, fused.stepCount());
      fused.close();
      plain.close();
    }
  }

  private static AdamW restored(AdamW optimizer, List<OptimParam> params, NDManager manager) {
    AdamWState state = optimizer.exportState(manager);
    optimizer.close();
    AdamW again = new AdamW(params, CONFIG);
    again.importState(state);
    return again;
  }

  private static List<OptimParam> params(NDManager manager) {
    List<OptimParam> out = new ArrayList<>();
    manager.getEngine().setRandomSeed(7);
    for (int i = 0; i < SHAPES.length; i++) {
      NDArray p = manager.randomNormal(SHAPES[i]).toType(DataType.FLOAT32, false);
      out.add(new OptimParam("p" + i, p, i != 1));
    }
    return out;
  }

  private static Map<String, NDArray> gradients(NDManager scope, int step) {
    scope.getEngine().setRandomSeed(100 + step);
    Map<String, NDArray> grads = new HashMap<>();
    for (int i = 0; i < SHAPES.length; i++) {
      grads.put("p" + i, scope.randomNormal(SHAPES[i]).mul(i == 2 ? 30 : 0.01));
    }
    return grads;
  }

  private static void assertClose(NDArray expected, NDArray actual, String label) {
    float[] e = expected.toFloatArray();
    float[] a = actual.toFloatArray();
    for (int i = 0; i < e.length; i++) {
      assertEquals(e[i], a[i], 1e-6 + 1e-5 * Math.abs(e[i]), label + " element " + i);
    }
  }
}
