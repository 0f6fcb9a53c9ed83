package ai.llep.trainer.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.llep.comm.Communicator;
import ai.llep.comm.FaultInjectingCommunicator;
import ai.llep.comm.SingleProcessCommunicator;
import ai.llep.comm.nccl.NcclAvailability;
import ai.llep.comm.nccl.NcclCommunicator;
import ai.llep.comm.nccl.NcclOptions;
import ai.llep.comm.tcp.TcpCommunicator;
import ai.llep.comm.tcp.TcpOptions;
import ai.llep.runtime.JobSecret;
import ai.llep.runtime.Rendezvous;
import ai.llep.runtime.RendezvousStore;
import ai.llep.runtime.WorldInfo;
import ai.llep.trainer.config.ConfigError;
import ai.llep.trainer.config.ResolvedConfig;
import ai.llep.trainer.natives.NativeLibraries;
import com.typesafe.config.Config;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * One rank of a running job: where it sits in the world, its communicator and its tensor manager.
 * Rank 0 prints the config the command reads. Closing it closes the communicator and the store.
 */
final class Job implements AutoCloseable {
  private static final Logger LOG = LogManager.getLogger(Job.class);

  private final WorldInfo world;
  private final RendezvousStore store;
  private final Communicator comm;
  private final NDManager manager;

  private Job(WorldInfo world, RendezvousStore store, Communicator comm, NDManager manager) {
    this.world = world;
    this.store = store;
    this.comm = comm;
    this.manager = manager;
  }

  /**
   * @param resolved the whole configuration
   * @param shown what rank 0 prints of it (the command's sections, or all of them)
   */
  static Job start(ResolvedConfig resolved, ResolvedConfig shown) {
    Config config = resolved.config();
    WorldInfo world = WorldInfo.fromEnvironment(System.getenv());
    if (world.rank() == 0) {
      String which =
          shown == resolved
              ? "every section"
              : String.join(", ", shown.config().root().keySet().stream().sorted().toList())
                  + "; --full-config shows every section";
      LOG.info(
          "resolved config ({}; groups {}):\n{}", which, shown.groups(), shown.render().strip());
    }
    NativeLibraries.load();
    String backend = chooseBackend(config, world);
    RendezvousStore store = null;
    Communicator comm;
    if (backend.equals("nccl")) {
      byte[] secret = JobSecret.fromEnvironment(System.getenv(), world);
      NcclOptions options =
          new NcclOptions(
              config.getDuration("comm.timeout"),
              config.getDuration("comm.connect-timeout"),
              ncclLibrary(config));
      store = Rendezvous.open(world, secret, options.connectTimeout());
      comm = NcclCommunicator.create(world, store, options);
    } else if (world.worldSize() == 1) {
      comm = new SingleProcessCommunicator();
    } else {
      byte[] secret = JobSecret.fromEnvironment(System.getenv(), world);
      TcpOptions options =
          new TcpOptions(
              config.getDuration("comm.timeout"),
              config.getDuration("comm.connect-timeout"),
              config.getString("comm.bind-host"));
      store = Rendezvous.open(world, secret, options.connectTimeout());
      comm = TcpCommunicator.create(world, store, secret, options);
    }
    int failRank = config.getInt("debug.fail-rank");
    if (failRank >= 0) {
      comm = new FaultInjectingCommunicator(comm, failRank, FaultInjectingCommunicator.Fault.THROW);
    }
    int hangRank = config.getInt("debug.hang-rank");
    if (hangRank >= 0) {
      comm = new FaultInjectingCommunicator(comm, hangRank, FaultInjectingCommunicator.Fault.HANG);
    }
    Device device = device(world);
    LOG.info("rank {} of {} on {} ({})", world.rank(), world.worldSize(), device, backend);
    return new Job(world, store, comm, NDManager.newBaseManager(device, "PyTorch"));
  }

  /** GPU {@code LOCAL_RANK} (modulo the visible GPUs) where GPUs exist, else the CPU. */
  private static Device device(WorldInfo world) {
    int gpus = Engine.getEngine("PyTorch").getGpuCount();
    return gpus > 0 ? Device.gpu(world.localRank() % gpus) : Device.cpu();
  }

  /**
   * The communicator for {@code comm.backend}: {@code tcp}; {@code nccl}, which fails naming what
   * this machine lacks for it; or {@code auto}, NCCL where it can run and TCP elsewhere. With NCCL
   * the job's tensors live on GPU {@code LOCAL_RANK}.
   */
  private static String chooseBackend(Config config, WorldInfo world) {
    String backend = config.getString("comm.backend");
    if (backend.equals("tcp")) {
      return backend;
    }
    if (!backend.equals("nccl") && !backend.equals("auto")) {
      throw new ConfigError("comm.backend=" + backend + " is not one of: tcp, nccl, auto");
    }
    NcclAvailability nccl = NcclAvailability.check(ncclLibrary(config), world.localRank());
    if (nccl.usable()) {
      return "nccl";
    }
    if (backend.equals("nccl")) {
      throw new IllegalStateException(
          "comm.backend=nccl, but rank " + world.rank() + " lacks " + nccl.missing());
    }
    LOG.debug("comm.backend=auto: tcp, since rank {} lacks {}", world.rank(), nccl.missing());
    return "tcp";
  }

  /** {@code comm.nccl-library}, which only the nccl and auto options of the comm group set. */
  private static String ncclLibrary(Config config) {
    return config.hasPath("comm.nccl-library") ? config.getString("comm.nccl-library") : "";
  }

  WorldInfo world() {
    return world;
  }

  Communicator comm() {
    return comm;
  }

  NDManager manager() {
    return manager;
  }

  @Override
  public void close() {
    try (NDManager m = manager) {
      comm.close();
    } finally {
      if (store != null) {
        try {
          store.close();
        } catch (Exception e) {
          LOG.warn("closing the rendezvous store: {}", e.getMessage());
        }
      }
    }
  }
}
