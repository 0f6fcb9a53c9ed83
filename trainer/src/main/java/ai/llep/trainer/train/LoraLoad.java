package ai.llep.trainer.train;

import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.models.ModelShard;
import ai.llep.models.hf.TensorSource;
import ai.llep.models.lora.LoraModel;
import ai.llep.models.lora.PeftAdapterSource;
import ai.llep.plan.Planner;
import ai.llep.trainer.checkpoint.Checkpoint;
import java.util.Optional;

/**
 * Opens the model of a {@code train.method=lora} run: the frozen base from {@code model.source}
 * (also on resume: checkpoints hold only the adapters), and the adapters from the checkpoint
 * resumed from, else from {@code lora.adapter}, else new ones.
 */
final class LoraLoad {
  private LoraLoad() {}

  static LoadedModel open(
      TrainSettings settings,
      ModelSpec spec,
      Optional<Checkpoint> resumeFrom,
      Communicator comm,
      Planner planner,
      NDManager manager,
      Precision numerics) {
    LoraOptions lora = settings.lora();
    TensorSource adapters = null;
    if (resumeFrom.isPresent()) {
      adapters = new CheckpointTensors(resumeFrom.get().dir(), Checkpointer.MODEL_FILE);
    } else if (lora.adapter().isPresent()) {
      adapters = PeftAdapterSource.open(lora.adapter().get(), lora.spec());
    }
    try {
      return LoadedModel.open(
          spec,
          null,
          settings.data().template(),
          settings.seed(),
          new ModelShard(comm.rank(), comm.worldSize()),
          planner,
          manager,
          numerics.computeType(),
          new LoraModel(lora.spec(), adapters, lora.expertCacheBytes()));
    } finally {
      if (adapters instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          throw new IllegalStateException("closing the adapter source: " + e.getMessage(), e);
        }
      }
    }
  }
}
