package org.hpcs.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hpcs.agent.socket.SocketProbe;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Secured jobs on the real three-node test cluster: the SPANK plugin in sbatch, srun, slurmd and
 * slurmstepd talking to the node agents that the stack installed with install-node, which start
 * each job at the stack's HPCS server. Assertions read the agents' journals; AgentServerIT checks
 * what the server recorded.
 */
@ExtendWith(TestClusterExtension.class)
@Disabled(
    "Written for the job manifest {\"bundles\": [...]} that the node agent read before it"
        + " decrypted real bundles; SecureJobIT and SecureSbatchIT now run secured jobs end to end."
        + " TODO: port these scenarios to real signed bundles.")
class SecuredJobIT {
  private static final String USER = "alice";
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
  private static AgentCluster agents;

  @BeforeAll
  static void install(TestCluster cluster) throws Exception {
    agents = new AgentCluster(cluster);
    agents.ensureInstalled();
  }

  @AfterEach
  void deleteJobDirectories() throws Exception {
    agents.deleteJobDirectories();
  }

  @Test
  void batchJob_threeNodes_batchNodeSeesWholeLifecycle() throws Exception {
    Path manifest = agents.manifest(USER);
    String batchNode = agents.nodes().get(0);

    long job =
        agents.submit(USER, manifest.getParent(), "hostname", "-N3", "--hpcs-secure=" + manifest);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(batchNode, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    assertThat(agents.eventNames(batchNode, job))
        .containsExactly(
            "job-start", "job-started", "step-start", "step-end", "job-end", "cleanup");
    assertThat(agents.events(batchNode, job).getFirst().path("detail").asText())
        .isEqualTo("announced by the job prolog");
  }

  @Test
  void batchJob_threeNodes_nodesWithoutStepSeeStartAndEnd() throws Exception {
    assertThat(agents.prologFlags())
        .as("PrologFlags of the test stack: without Alloc, nodes without a step run no prolog")
        .contains("Alloc");
    Path manifest = agents.manifest(USER);

    long job =
        agents.submit(USER, manifest.getParent(), "hostname", "-N3", "--hpcs-secure=" + manifest);
    agents.awaitGone(job, JOB_TIMEOUT);

    for (String node : agents.nodes().subList(1, agents.nodes().size())) {
      awaitEvent(node, job, "cleanup");
      assertThat(agents.eventNames(node, job))
          .as("events of job %d on %s", job, node)
          .containsExactly("job-start", "job-end", "cleanup");
    }
  }

  @Test
  void srunStep_inAllocation_everyAgentAttachesTheStep() throws Exception {
    Path manifest = agents.manifest(USER);

    long job =
        agents.submit(
            USER, manifest.getParent(), "srun -N3 --hpcs-secure=" + manifest + " hostname", "-N3");
    agents.awaitGone(job, JOB_TIMEOUT);

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    assertThat(
            AgentCluster.output(manifest.getParent(), job)
                .lines()
                .filter(l -> !l.isBlank())
                .count())
        .isEqualTo(3);
    for (String node : agents.nodes()) {
      awaitEvent(node, job, "cleanup");
      List<JsonNode> steps =
          agents.events(node, job).stream()
              .filter(e -> e.path("event").asText().equals("step-start"))
              .toList();
      assertThat(steps)
          .as("step starts of job %d on %s", job, node)
          .extracting(e -> e.path("step").asText())
          .containsExactly("0");
      assertThat(agents.eventNames(node, job))
          .containsSubsequence("job-started", "step-start", "step-end", "cleanup");
    }
  }

  @Test
  void batchJob_agentStoppedOnBatchNode_failsFastNodeStaysIdle() throws Exception {
    String node = agents.nodes().get(0);
    Path manifest = agents.manifest(USER);
    agents.stopAgent(node);
    try {
      long started = System.nanoTime();
      long job =
          agents.submit(
              USER,
              manifest.getParent(),
              "hostname",
              "-N1",
              "-w",
              node,
              "--hpcs-secure=" + manifest);
      agents.awaitGone(job, Duration.ofSeconds(30));
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      String record = agents.jobRecord(job);
      assertThat(took).isLessThan(Duration.ofSeconds(30));
      assertThat(record).contains("JobState=FAILED").contains("Restarts=0");
      assertThat(AgentCluster.output(manifest.getParent(), job))
          .contains("hpcs: node agent unavailable on " + node + ":");
      assertNotDrained(node);
    } finally {
      agents.startAgent(node);
    }
  }

  @Test
  void srunStep_agentStoppedOnOneNode_failsNamingNode() throws Exception {
    String node = agents.nodes().get(1);
    Path manifest = agents.manifest(USER);
    agents.stopAgent(node);
    try {
      long started = System.nanoTime();
      long job =
          agents.submit(
              USER,
              manifest.getParent(),
              "srun -N3 --hpcs-secure=" + manifest + " hostname",
              "-N3");
      agents.awaitGone(job, Duration.ofSeconds(30));
      Duration took = Duration.ofNanos(System.nanoTime() - started);

      assertThat(took).isLessThan(Duration.ofSeconds(30));
      assertThat(agents.jobRecord(job)).contains("JobState=FAILED").contains("Restarts=0");
      assertThat(AgentCluster.output(manifest.getParent(), job))
          .contains("hpcs: node agent unavailable on " + node + ":");
      for (String each : agents.nodes()) {
        assertNotDrained(each);
      }
    } finally {
      agents.startAgent(node);
    }
  }

  @Test
  void fourConcurrentSteps_shareOneJobState_cleanupOnce() throws Exception {
    String node = agents.nodes().get(0);
    Path manifest = agents.manifest(USER);
    String steps =
        "for i in 1 2 3 4; do srun --overlap -n1 --hpcs-secure="
            + manifest
            + " sleep 3 & done; wait";

    long job =
        agents.submit(
            USER,
            manifest.getParent(),
            steps,
            "-N1",
            "-n4",
            "-w",
            node,
            "--hpcs-secure=" + manifest);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    List<String> events = agents.eventNames(node, job);
    assertThat(events.stream().filter("job-started"::equals)).hasSize(1);
    assertThat(events.stream().filter("cleanup"::equals)).hasSize(1);
    List<JsonNode> starts =
        agents.events(node, job).stream()
            .filter(e -> e.path("event").asText().equals("step-start"))
            .toList();
    assertThat(starts)
        .extracting(e -> e.path("step").asText())
        .containsExactlyInAnyOrder("4294967291", "0", "1", "2", "3");
    assertThat(
            starts.stream().mapToInt(e -> attachedCount(e.path("detail").asText())).max().orElse(0))
        .as("largest number of steps attached at once")
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void agentKilledMidJob_restarted_jobEndCleansUp() throws Exception {
    String node = agents.nodes().get(0);
    Path manifest = agents.manifest(USER);
    long job =
        agents.submit(
            USER, manifest.getParent(), "sleep 25", "-N1", "-w", node, "--hpcs-secure=" + manifest);
    awaitEvent(node, job, "step-start");
    Path state = agents.stateDir(node).resolve("jobs/" + job + ".json");

    agents.killAgent(node);
    assertThat(state).exists();
    agents.startAgent(node);
    assertThat(
            AgentCluster.run(List.of("squeue", "-h", "-j", Long.toString(job), "-o", "%T")).strip())
        .as("the job outlived the agent's restart")
        .isEqualTo("RUNNING");
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.eventNames(node, job).stream().filter("cleanup"::equals)).hasSize(1);
    assertThat(agents.events(node, job).getLast().path("detail").asText())
        .isEqualTo("the job epilog ran");
    assertThat(state).doesNotExist();
  }

  @Test
  void agentKilled_jobEndsWhileDown_reaperCleansUpAfterRestart() throws Exception {
    String node = agents.nodes().get(0);
    Path manifest = agents.manifest(USER);
    long job =
        agents.submit(
            USER, manifest.getParent(), "sleep 2", "-N1", "-w", node, "--hpcs-secure=" + manifest);
    awaitEvent(node, job, "step-start");

    agents.killAgent(node);
    try {
      agents.awaitGone(job, JOB_TIMEOUT);
    } finally {
      agents.startAgent(node);
    }
    awaitEvent(node, job, "cleanup");

    assertThat(agents.events(node, job).getLast().path("detail").asText())
        .isEqualTo("Slurm no longer runs the job");
    assertThat(agents.stateDir(node).resolve("jobs/" + job + ".json")).doesNotExist();
  }

  @Test
  void socket_callerNotRootOrSlurm_rejected() throws Exception {
    String node = agents.nodes().get(0);
    Path socket = agents.socket(node);
    Path dir = socket.getParent();
    Set<PosixFilePermission> dirMode = Files.getPosixFilePermissions(dir);
    Set<PosixFilePermission> socketMode = Files.getPosixFilePermissions(socket);
    String probe = probeCommand(socket, node);

    String denied = runAsUser(probe);
    assertThat(denied)
        .as("with the installed modes the socket is out of reach")
        .contains("Permission denied");
    // Open the file modes so that only the agent's peer credential check stands in the way.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    try {
      assertThat(runAsUser(probe))
          .contains("status=error", "user " + USER + " may not use the HPCS node agent socket");
    } finally {
      Files.setPosixFilePermissions(socket, socketMode);
      Files.setPosixFilePermissions(dir, dirMode);
    }
  }

  private static String probeCommand(Path socket, String node) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String tests =
        Path.of(SocketProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    String main =
        Path.of(
                org.hpcs.agent.protocol.WireCodec.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI())
            .toString();
    return java
        + " -cp "
        + tests
        + ":"
        + main
        + " "
        + SocketProbe.class.getName()
        + " "
        + socket
        + " "
        + node;
  }

  private static String runAsUser(String command) throws Exception {
    Process process =
        new ProcessBuilder("runuser", "-u", USER, "--", "sh", "-c", command)
            .redirectErrorStream(true)
            .start();
    process.waitFor();
    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  /** Other tests may run jobs on the node, so idle, mixed and allocated all count as in service. */
  private static void assertNotDrained(String node) {
    assertThat(agents.nodeState(node))
        .as("state of %s", node)
        .isIn("idle", "mixed", "allocated", "completing");
    assertThat(agents.nodeReason(node)).as("drain reason of %s", node).isEmpty();
  }

  private static int attachedCount(String detail) {
    Matcher m = Pattern.compile("\\[(.*)\\]").matcher(detail);
    return m.find() && !m.group(1).isBlank() ? m.group(1).split(",", -1).length : 0;
  }

  private static void awaitEvent(String node, long job, String event) throws Exception {
    AgentCluster.await(
        JOB_TIMEOUT,
        "event " + event + " of job " + job + " on " + node,
        () -> {
          try {
            return agents.eventNames(node, job).contains(event);
          } catch (java.io.IOException e) {
            return false;
          }
        });
  }
}
