package ai.llep.trainer.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.llep.runtime.FreePort;
import ai.llep.trainer.cli.Main;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * scripts/launch.sh's command line as torchrun users write it (checked with --dry-run, which prints
 * what would start), its usage, and the log file of a run.
 */
class LauncherIT {
  private static final Duration QUICK = Duration.ofSeconds(30);

  static Stream<Arguments> torchrunSpellings() {
    return Stream.of(
        Arguments.of("--nproc-per-node=2", "nproc_per_node=2 nnodes=1 node_rank=0"),
        Arguments.of("--nproc_per_node 2", "nproc_per_node=2 nnodes=1"),
        Arguments.of("--nproc_per_node=2", "nproc_per_node=2"),
        Arguments.of(
            "--nnodes=2 --node_rank=1 --master-addr=head --master_port 29511",
            "nnodes=2 node_rank=1 master_addr=head master_port=29511"),
        Arguments.of(
            "--standalone --nproc-per-node 3",
            "nproc_per_node=3 nnodes=1 master_addr=127.0.0.1 master_port=auto"),
        Arguments.of(
            "--nnodes 2 --node-rank 0 --rdzv-endpoint head:29512",
            "master_addr=head master_port=29512"),
        Arguments.of(
            "--rdzv_backend=c10d --rdzv_id=job7 --rdzv_endpoint=head --nnodes=2 --node-rank=1",
            "master_addr=head master_port=29400 node_rank=1"),
        Arguments.of("--log-dir=somewhere --nproc-per-node 1", "log_dir=somewhere"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("torchrunSpellings")
  void acceptsTorchrunSpellings(String options, String expected) {
    Launch.Outcome outcome = dryRun(Map.of(), options);
    assertEquals(0, outcome.exitCode(), outcome.output());
    for (String line : expected.split(" ")) {
      assertTrue(
          outcome.output().lines().anyMatch(line::equals), line + " in:\n" + outcome.output());
    }
    assertTrue(outcome.output().contains("command=plan plan.ranks=2"), outcome.output());
  }

  @Test
  void gpuMeansOneRankPerVisibleGpu(@TempDir Path tmp) throws IOException {
    Map<String, String> visible = Map.of("CUDA_VISIBLE_DEVICES", "0,3");
    Launch.Outcome outcome = dryRun(visible, "--nproc-per-node gpu");
    assertTrue(outcome.output().lines().anyMatch("nproc_per_node=2"::equals), outcome.output());

    Map<String, String> smi = withFakeNvidiaSmi(tmp, "GPU 0: A\nGPU 1: B\nGPU 2: C\n");
    outcome = dryRun(smi, "--nproc-per-node=gpu");
    assertTrue(outcome.output().lines().anyMatch("nproc_per_node=3"::equals), outcome.output());

    outcome = dryRun(withFakeNvidiaSmi(tmp, ""), "--nproc-per-node gpu");
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(
        outcome.output().contains("launch: --nproc-per-node gpu: no GPU found"), outcome.output());

    outcome = dryRun(Map.of("CUDA_VISIBLE_DEVICES", ""), "--nproc-per-node gpu");
    assertNotEquals(0, outcome.exitCode(), outcome.output());
    assertTrue(outcome.output().contains("CUDA_VISIBLE_DEVICES='' names no GPU"), outcome.output());
  }

  /** Expandable segments for libtorch's CUDA allocator, unless the caller chose otherwise. */
  @Test
  void cudaAllocatorConfigDefaultsToExpandableSegments() {
    Map<String, String> unset = new HashMap<>();
    unset.put("PYTORCH_CUDA_ALLOC_CONF", null);
    Launch.Outcome outcome = dryRun(unset, "--nproc-per-node 1");
    assertTrue(
        outcome.output().lines().anyMatch("cuda_alloc_conf=expandable_segments:True"::equals),
        outcome.output());
    outcome =
        dryRun(Map.of("PYTORCH_CUDA_ALLOC_CONF", "max_split_size_mb:128"), "--nproc-per-node 1");
    assertTrue(
        outcome.output().lines().anyMatch("cuda_alloc_conf=max_split_size_mb:128"::equals),
        outcome.output());
  }

  @Test
  void badOptionsAreNamed() {
    Map<String, String> outsideSlurm = new HashMap<>();
    outsideSlurm.put("SLURM_NODEID", null);
    String[][] cases = {
      {"--nnodes 2 --master-port 29513", "--node-rank is required with --nnodes > 1"},
      {"--nproc-per-node", "option --nproc-per-node needs a value"},
      {"--standalone=yes", "option --standalone takes no value"},
      {"--nnodes=1:4", "elastic ranges are not supported"},
      {"--rdzv-backend etcd", "--rdzv-backend etcd is not supported"},
      {"--nproc_per_node=two", "--nproc-per-node must be a positive integer or 'gpu'"},
      {"--max-restarts 3", "unknown option '--max-restarts'"},
    };
    for (String[] c : cases) {
      Launch.Outcome outcome = dryRun(outsideSlurm, c[0]);
      assertEquals(2, outcome.exitCode(), c[0] + ":\n" + outcome.output());
      assertTrue(outcome.output().contains(c[1]), c[0] + ":\n" + outcome.output());
    }
    Launch.Outcome agentStore =
        dryRun(Map.of("TORCHELASTIC_USE_AGENT_STORE", "True"), "--rank-from-env");
    assertEquals(2, agentStore.exitCode(), agentStore.output());
    assertTrue(
        agentStore.output().contains("export TORCH_DISABLE_SHARE_RDZV_TCP_STORE=1"),
        agentStore.output());
    Launch.Outcome slurm = dryRun(Map.of("SLURM_NODEID", "1"), "--nnodes 2 --master-port 29514");
    assertTrue(slurm.output().lines().anyMatch("node_rank=1"::equals), slurm.output());
  }

  @Test
  void usageListsEveryCommand() {
    Launch.Outcome outcome = Launch.launch(null, Map.of(), QUICK, List.of("--help"));
    assertEquals(0, outcome.exitCode(), outcome.output());
    String commands =
        outcome.output().lines().filter(l -> l.startsWith("Commands:")).findFirst().orElse("");
    List<String> listed = List.of(commands.split("[:,()\\s]+"));
    for (String command : new CommandLine(new Main()).getSubcommands().keySet()) {
      assertTrue(listed.contains(command), command + " missing from: " + commands);
    }
  }

  @Test
  void eachRunWritesItsRanksOutputToALogFile(@TempDir Path workDir) throws IOException {
    Launch.Outcome outcome =
        Launch.launch(
            workDir,
            Map.of(),
            Duration.ofMinutes(1),
            List.of("--nproc_per_node=2", "plan", "plan.ranks=2", "plan.loads=[9,1,1,1]"));
    assertEquals(0, outcome.exitCode(), outcome.output());
    List<Path> logs;
    try (Stream<Path> files = Files.walk(workDir.resolve("runs/logs"))) {
      logs = files.filter(Files::isRegularFile).toList();
    }
    assertEquals(1, logs.size(), "log files: " + logs);
    Path log = logs.getFirst();
    assertTrue(log.getParent().getFileName().toString().endsWith("-plan"), log.toString());
    assertEquals("node0.log", log.getFileName().toString());
    String relative = workDir.relativize(log).toString();
    assertTrue(outcome.output().contains("launch: logging to " + relative), outcome.output());
    assertTrue(
        outcome.output().contains("launch: the output of this run is in " + relative),
        outcome.output());
    List<String> logged = Files.readAllLines(log);
    List<String> rankLines = outcome.output().lines().filter(l -> l.startsWith("[rank ")).toList();
    assertTrue(
        rankLines.stream().anyMatch(l -> l.startsWith("[rank 1] plan cap=")), rankLines.toString());
    assertEquals(
        rankLines.stream().sorted().toList(),
        logged.stream().filter(l -> l.startsWith("[rank ")).sorted().toList());
  }

  /** As torchrun --no-python starts it: one rank per process, the world in the environment. */
  @Test
  void rankFromEnvRunsOneRankOfAWorldAnotherLauncherStarted() {
    int port = FreePort.pick();
    List<CompletableFuture<Launch.Outcome>> ranks = new java.util.ArrayList<>();
    ExecutorService threads = Executors.newFixedThreadPool(2);
    byte[] secretBytes = new byte[32];
    new java.security.SecureRandom().nextBytes(secretBytes);
    String secret = java.util.HexFormat.of().formatHex(secretBytes);
    for (int rank = 0; rank < 2; rank++) {
      Map<String, String> env = new HashMap<>();
      env.put("RANK", Integer.toString(rank));
      env.put("LOCAL_RANK", Integer.toString(rank));
      env.put("WORLD_SIZE", "2");
      env.put("LOCAL_WORLD_SIZE", "2");
      env.put("MASTER_ADDR", "127.0.0.1");
      env.put("MASTER_PORT", Integer.toString(port));
      env.put("TORCHELASTIC_USE_AGENT_STORE", "False");
      env.put("LLEP_JOB_SECRET", secret);
      ranks.add(
          CompletableFuture.supplyAsync(
              () ->
                  Launch.launch(
                      null,
                      env,
                      Duration.ofMinutes(2),
                      List.of(
                          "--rank-from-env",
                          "comm-check",
                          "comm-check.bandwidth-bytes=4096",
                          "comm-check.shapes-per-dtype=1")),
              threads));
    }
    Launch.Outcome rank0 = ranks.get(0).join();
    Launch.Outcome rank1 = ranks.get(1).join();
    threads.shutdown();
    assertEquals(0, rank0.exitCode(), rank0.output());
    assertEquals(0, rank1.exitCode(), rank1.output());
    assertTrue(rank0.hasLine("comm-check PASS"), rank0.output());
    assertTrue(rank1.output().contains("rank 1 of 2"), rank1.output());
  }

  private static Launch.Outcome dryRun(Map<String, String> env, String options) {
    List<String> args = new java.util.ArrayList<>(List.of(options.split(" ")));
    args.addAll(List.of("--dry-run", "plan", "plan.ranks=2"));
    return Launch.launch(null, env, QUICK, args);
  }

  /**
   * A PATH whose nvidia-smi lists {@code gpus} (nvidia-smi -L's format), without
   * CUDA_VISIBLE_DEVICES.
   */
  private static Map<String, String> withFakeNvidiaSmi(Path tmp, String gpus) throws IOException {
    Path bin = Files.createTempDirectory(tmp, "bin");
    Path smi = bin.resolve("nvidia-smi");
    Files.writeString(smi, "#!/bin/sh\nprintf '%s' '" + gpus + "'\n");
    Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
    Map<String, String> env = new HashMap<>();
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("CUDA_VISIBLE_DEVICES", null);
    return env;
  }
}
