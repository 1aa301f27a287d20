package org.hpcs.agent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.hpcs.testcluster.TestCluster;

/**
 * The HPCS plugin and node agents that the test stack installed on its nodes: reinstalls them with
 * node-agent/bin/install-node when this checkout built another plugin or jar, and offers what the
 * integration tests need (journals, agent start/stop/kill, bundles granted at the HPCS server, job
 * submission).
 */
final class AgentCluster {
  static final Path REPO = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
  static final Path PLUGIN = Path.of("/usr/lib/x86_64-linux-gnu/slurm-wlm/spank_hpcs.so");
  static final Path PLUGSTACK = Path.of("/etc/slurm/plugstack.conf.d/hpcs.conf");
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestCluster cluster;
  private final Map<Long, Instant> submitted = new ConcurrentHashMap<>();
  private final List<Path> created = new ArrayList<>();
  private final Map<String, HpcsServerAccess.GrantedBundle> granted = new ConcurrentHashMap<>();
  private HpcsServerAccess server;

  AgentCluster(TestCluster cluster) {
    this.cluster = cluster;
  }

  List<String> nodes() {
    return cluster.slurmNodes();
  }

  static Path config(String node) {
    return Path.of("/etc/hpcs/node-agent-" + node + ".conf");
  }

  Path stateDir(String node) {
    return Path.of(value(node, "state-dir"));
  }

  Path socket(String node) {
    return Path.of(value(node, "socket"));
  }

  Path journal(String node) {
    return stateDir(node).resolve("journal.jsonl");
  }

  /**
   * Reinstalls the plugin and the agents of the stack (with the configs the stack wrote) when this
   * checkout built others; restarts slurmd only if needed.
   */
  void ensureInstalled() throws Exception {
    run(List.of("make", "-C", REPO.resolve("spank-shim").toString()));
    Path built = REPO.resolve("spank-shim/build/spank_hpcs.so");
    boolean restartSlurmd =
        !Files.exists(PLUGIN) || !sha256(PLUGIN).equals(sha256(built)) || !Files.exists(PLUGSTACK);
    String plugstackBefore = Files.exists(PLUGSTACK) ? Files.readString(PLUGSTACK) : "";
    Path installedJar = Path.of("/usr/lib/hpcs/node-agent/hpcs-node-agent.jar");
    Path builtJar = REPO.resolve("node-agent/target/hpcs-node-agent.jar");
    boolean newJar = !Files.exists(installedJar) || !sha256(installedJar).equals(sha256(builtJar));
    for (String node : nodes()) {
      if (!Files.exists(config(node))) {
        throw new AssertionError(
            "no node agent config "
                + config(node)
                + ": the test stack installs the node agents; run slurm-test-cluster/bin/hpcs-cluster"
                + " up");
      }
      if (restartSlurmd || newJar || !agentRunning(node)) {
        run(
            List.of(
                REPO.resolve("node-agent/bin/install-node").toString(),
                "--no-build",
                "--node",
                node,
                "--config",
                config(node).toString()));
      }
    }
    if (restartSlurmd || !plugstackBefore.equals(Files.readString(PLUGSTACK))) {
      for (String node : nodes()) {
        restartSlurmd(node);
      }
      await(
          Duration.ofSeconds(60),
          "all nodes idle after restarting slurmd",
          () -> nodes().stream().allMatch(n -> nodeState(n).equals("idle")));
    }
  }

  /** Returns the stack's HPCS server as owners and admins use it. */
  synchronized HpcsServerAccess server() throws Exception {
    if (server == null) {
      server = new HpcsServerAccess(cluster);
    }
    return server;
  }

  /** Returns a bundle registered by the test owner and granted to the user, once per user. */
  synchronized HpcsServerAccess.GrantedBundle bundleGrantedTo(String user) throws Exception {
    HpcsServerAccess.GrantedBundle bundle = granted.get(user);
    if (bundle == null) {
      bundle = server().grantedBundle(user);
      granted.put(user, bundle);
    }
    return bundle;
  }

  /** Restarts one slurmd exactly as the stack starts it, using its pid file. */
  private void restartSlurmd(String node) throws Exception {
    Path pidFile = cluster.runDir().resolve("slurm/slurmd-" + node + ".pid");
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
    await(
        Duration.ofSeconds(20),
        "slurmd " + node + " (pid " + pid + ") to stop",
        () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    Path log = cluster.logDir().resolve("slurm/slurmd-" + node + ".log");
    Process slurmd =
        new ProcessBuilder("/usr/sbin/slurmd", "-N", node, "-f", cluster.slurmConf().toString())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .redirectErrorStream(true)
            .start();
    slurmd.waitFor(30, TimeUnit.SECONDS);
  }

  String value(String node, String key) {
    return run(List.of(
            "/usr/sbin/hpcs-node-agent", "--config", config(node).toString(), "config-value", key))
        .strip();
  }

  boolean agentRunning(String node) {
    return exitCode(
            List.of("/usr/sbin/hpcs-node-agent", "--config", config(node).toString(), "status"))
        == 0;
  }

  void startAgent(String node) {
    run(List.of("/usr/sbin/hpcs-node-agent", "--config", config(node).toString(), "start"));
  }

  void stopAgent(String node) {
    run(List.of("/usr/sbin/hpcs-node-agent", "--config", config(node).toString(), "stop"));
  }

  /** Kills the agent with SIGKILL, so it cannot clean up or remove its socket. */
  void killAgent(String node) throws Exception {
    long pid = Long.parseLong(Files.readString(Path.of(value(node, "pid-file"))).strip());
    run(List.of("kill", "-KILL", Long.toString(pid)));
    await(
        Duration.ofSeconds(10),
        "agent " + node + " to die",
        () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  /**
   * Returns the journal events of one job on one node since the job was submitted, in order.
   * Earlier events may belong to another job with the same id, because the test stack's slurmctld
   * starts counting again when the stack is recreated.
   */
  List<JsonNode> events(String node, long jobId) throws IOException {
    List<JsonNode> events = new ArrayList<>();
    if (!Files.exists(journal(node))) {
      return events;
    }
    for (String line : Files.readAllLines(journal(node), StandardCharsets.UTF_8)) {
      JsonNode event = JSON.readTree(line);
      if (event.path("jobId").asLong() == jobId
          && !Instant.parse(event.path("time").asText())
              .isBefore(submitted.getOrDefault(jobId, Instant.EPOCH))) {
        events.add(event);
      }
    }
    return events;
  }

  List<String> eventNames(String node, long jobId) throws IOException {
    return events(node, jobId).stream().map(e -> e.path("event").asText()).toList();
  }

  /**
   * Creates a directory owned by the user holding a job manifest that names a bundle granted to the
   * user, so the HPCS server releases its key.
   */
  Path manifest(String user) throws Exception {
    return manifest(user, bundleGrantedTo(user).jobManifest());
  }

  /** Creates a directory owned by the user holding a job manifest with the given text. */
  Path manifest(String user, String text) throws IOException {
    Path dir =
        Files.createTempDirectory(
            Path.of("/tmp"),
            "hpcs-agent-it-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path manifest = dir.resolve("job.json");
    Files.writeString(manifest, text);
    UserPrincipal owner =
        FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(user);
    Files.setOwner(dir, owner);
    Files.setOwner(manifest, owner);
    created.add(dir);
    return manifest;
  }

  /** Deletes the job directories made by {@link #manifest(String)}. */
  void deleteJobDirectories() throws IOException {
    for (Path dir : created) {
      try (var files = Files.list(dir)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(dir);
    }
    created.clear();
  }

  /** Submits a batch job as the user from the manifest's directory; returns its id. */
  long submit(String user, Path dir, String wrap, String... options) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "runuser",
                "-u",
                user,
                "--",
                "sbatch",
                "--parsable",
                "-D",
                dir.toString(),
                "--output=" + dir.resolve("slurm-%j.out")));
    command.addAll(Arrays.asList(options));
    command.add("--wrap=" + wrap);
    Instant before = Instant.now().minusSeconds(1);
    long jobId = Long.parseLong(run(command).strip().split(";", -1)[0]);
    submitted.put(jobId, before);
    return jobId;
  }

  void awaitGone(long jobId, Duration timeout) throws Exception {
    await(
        timeout,
        "job " + jobId + " to leave the queue",
        () -> run(List.of("squeue", "-h", "-j", Long.toString(jobId), "-o", "%T")).isBlank());
  }

  String jobRecord(long jobId) {
    return run(List.of("scontrol", "-o", "show", "job", Long.toString(jobId)));
  }

  /** Returns the PrologFlags value of the running slurmctld, empty when none is set. */
  String prologFlags() {
    return run(List.of("scontrol", "show", "config"))
        .lines()
        .filter(line -> line.startsWith("PrologFlags"))
        .map(line -> line.substring(line.indexOf('=') + 1).strip())
        .findFirst()
        .orElse("");
  }

  /** Returns the reason Slurm records for a drained or down node, empty when there is none. */
  String nodeReason(String node) {
    String reason = run(List.of("sinfo", "-h", "-N", "-n", node, "-o", "%E")).strip();
    return reason.equals("none") ? "" : reason;
  }

  String nodeState(String node) {
    return run(List.of("sinfo", "-h", "-N", "-n", node, "-o", "%T")).strip();
  }

  static String output(Path dir, long jobId) throws IOException {
    Path file = dir.resolve("slurm-" + jobId + ".out");
    return Files.exists(file) ? Files.readString(file) : "";
  }

  static void await(Duration timeout, String what, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after " + timeout.toSeconds() + " s waiting for " + what);
      }
      Thread.sleep(200);
    }
  }

  static String run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          || process.exitValue() != 0) {
        throw new AssertionError(
            String.join(" ", command) + " failed: " + new String(output, StandardCharsets.UTF_8));
      }
      return new String(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running " + command, e);
    }
  }

  static int exitCode(List<String> command) {
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return process.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)
          ? process.exitValue()
          : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
