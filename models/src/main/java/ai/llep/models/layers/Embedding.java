package ai.llep.models.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.llep.device.HostUpload;

/** Token embedding: row lookup in the [V, D] table, differentiable in the table. */
public final class Embedding {
  private final NDArray table_VD;
  private final long vocab;

  public Embedding(NDArray table_VD) {
    if (table_VD.getShape().dimension() != 2) {
      throw new IllegalArgumentException(
          "an embedding table is [V, D], got " + table_VD.getShape());
    }
    this.table_VD = table_VD;
    this.vocab = table_VD.getShape().get(0);
  }

  /** The table itself, for a language-model head tied to it. */
  public NDArray table() {
    return table_VD;
  }

  /** The rows of {@code ids_BS}, flattened row-major into [T, D]. */
  public NDArray forward(NDManager manager, int[][] ids_BS) {
    int seq = ids_BS.length == 0 ? 0 : ids_BS[0].length;
    long[] ids_T = new long[ids_BS.length * seq];
    for (int b = 0; b < ids_BS.length; b++) {
      for (int s = 0; s < seq; s++) {
        int id = ids_BS[b][s];
        if (id < 0 || id >= vocab) {
          throw new IllegalArgumentException(
              "token id "
                  + id
                  + " at ["
                  + b
                  + "]["
                  + s
                  + "] is outside the vocabulary [0, "
                  + vocab
                  + ")");
        }
        ids_T[b * seq + s] = id;
      }
    }
    return StepView.of(table_VD, manager).get(HostUpload.of(manager, ids_T));
  }
}
