package org.hpcs.agent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
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
import org.hpcs.agent.secure.BundleFixture;
import org.hpcs.agent.secure.OwnerClient;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.crypto.AgeIdentity;
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

  /** The demo image; slurm-test-cluster/demo/build-image makes it. */
  static final Path DEMO_SIF = REPO.resolve("build/demo/jp2a.sif");

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final TestCluster cluster;
  private final Map<Long, Instant> submitted = new ConcurrentHashMap<>();
  private final List<Path> created = new ArrayList<>();
  private final Map<String, SecuredFiles> granted = new ConcurrentHashMap<>();
  private final Map<String, Long> startedAgents = new ConcurrentHashMap<>();
  private OwnerClient owner;

  /**
   * A job manifest and the container bundle it names, in a directory of the job's user.
   *
   * @param dir the directory, which jobs use as working directory
   * @param manifest the job manifest, the value of --hpcs-secure
   * @param bundleId the server's id of the container bundle
   */
  record SecuredFiles(Path dir, Path manifest, String bundleId, AgeIdentity output) {}

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

  /** Returns the stack's HPCS server as the data owner and an admin use it. */
  synchronized OwnerClient owner() throws Exception {
    if (owner == null) {
      owner = new OwnerClient(cluster, URI.create(cluster.env("HPCS_SERVER_URL")));
    }
    return owner;
  }

  /**
   * Returns the demo image as a signed bundle that the owner registered and granted to the user,
   * with a job manifest naming it, in a directory of the user. Made once per user; jobs share it,
   * because each job writes its own output and log files.
   */
  synchronized SecuredFiles securedFiles(String user) throws Exception {
    SecuredFiles files = granted.get(user);
    if (files == null) {
      files = createSecuredFiles(user, user, Files.readAllBytes(DEMO_SIF));
      granted.put(user, files);
    }
    return files;
  }

  /** Returns the path of the job manifest of {@link #securedFiles(String)}. */
  Path manifest(String user) throws Exception {
    return securedFiles(user).manifest();
  }

  /**
   * Creates a directory of {@code user} with a job manifest naming a container bundle that the
   * owner granted to {@code grantee}. The bundle holds {@code image}; a job whose key release the
   * server denies never decrypts it, so any bytes do there.
   */
  SecuredFiles createSecuredFiles(String user, String grantee, byte[] image) throws Exception {
    Path dir = jobDirectory(user);
    BundleFixture fixture =
        new BundleFixture(dir, ownerKey(), OwnerClient.OWNER, cluster.baoKvMount());
    BundleFixture.Bundle bundle = fixture.create("image", BundleKind.CONTAINER, image);
    String bundleId = bundle.manifest().bundleId();
    owner().depositKey(bundleId, bundle.identity());
    owner().register(bundle.manifestFile());
    owner().grant(bundleId, grantee, null);
    fixture.jobManifest(bundle);
    chown(dir, user);
    return new SecuredFiles(dir, fixture.jobManifestPath(), bundleId, fixture.output);
  }

  /** Returns the audit records of a job made at or after {@code since}, as an admin reads them. */
  List<AuditEntry> audit(long jobId, Instant since) throws Exception {
    return owner().audit(jobId).stream().filter(e -> !e.at().isBefore(since)).toList();
  }

  private KeyPair ownerKey() throws Exception {
    return new KeyPair(
        Ed25519Keys.readPublic(Path.of(cluster.env("HPCS_OWNER_SIGNING_PUBLIC_KEY"))),
        Ed25519Keys.readPrivate(Path.of(cluster.env("HPCS_OWNER_SIGNING_KEY"))));
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

  /** Starts the agent through its launcher and notes the pid that this start wrote. */
  void startAgent(String node) throws IOException {
    run(List.of("/usr/sbin/hpcs-node-agent", "--config", config(node).toString(), "start"));
    startedAgents.put(node, agentPid(node));
  }

  void stopAgent(String node) {
    run(List.of("/usr/sbin/hpcs-node-agent", "--config", config(node).toString(), "stop"));
    startedAgents.remove(node);
  }

  /** Stops the agent and starts it again, so that the test owns the running agent process. */
  void restartAgent(String node) throws IOException {
    stopAgent(node);
    startAgent(node);
  }

  /**
   * Kills the agent with SIGKILL, so it cannot clean up or remove its socket. Only an agent that
   * {@link #startAgent(String)} started is killed, by the pid in its pid file.
   */
  void killAgent(String node) throws Exception {
    long pid = agentPid(node);
    Long started = startedAgents.get(node);
    if (started == null || started != pid) {
      throw new AssertionError(
          "the agent of "
              + node
              + " (pid "
              + pid
              + ") was not started by this test; call restartAgent first");
    }
    run(List.of("kill", "-KILL", Long.toString(pid)));
    startedAgents.remove(node);
    await(
        Duration.ofSeconds(10),
        "agent " + node + " to die",
        () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
  }

  private long agentPid(String node) throws IOException {
    return Long.parseLong(Files.readString(Path.of(value(node, "pid-file"))).strip());
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

  /** Creates an empty directory (mode 0700) of the user below the user's home. */
  Path jobDirectory(String user) {
    String home = run(List.of("runuser", "-u", user, "--", "sh", "-c", "printf %s \"$HOME\""));
    Path dir = Path.of(home).resolve("hpcs-agent-it-" + HexFormat.of().formatHex(randomBytes(6)));
    run(List.of("runuser", "-u", user, "--", "mkdir", "-m", "0700", dir.toString()));
    created.add(dir);
    return dir;
  }

  private static void chown(Path dir, String user) {
    run(List.of("chown", "-R", user + ":" + user, dir.toString()));
  }

  /** Deletes the directories made by {@link #jobDirectory(String)}. */
  void deleteJobDirectories() {
    for (Path dir : created) {
      run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }
    created.clear();
    granted.clear();
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

  private static byte[] randomBytes(int count) {
    byte[] bytes = new byte[count];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
