package org.hpcs.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hpcs.agent.protocol.WireCodec;
import org.hpcs.agent.secure.JobOutputParts;
import org.hpcs.agent.socket.SocketProbe;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Secured jobs on the real three-node test cluster: the SPANK plugin in sbatch, srun, slurmd and
 * slurmstepd talking to the node agents that the stack installed with install-node, which start
 * each job at the stack's HPCS server and run its steps in the decrypted demo image. Assertions
 * read the agents' journals; AgentServerIT checks what the server recorded. A secured batch step
 * runs its script inside the container, which has no srun, so jobs with secured srun steps submit
 * an unsecured batch script.
 */
@ExtendWith(TestClusterExtension.class)
class SecuredJobIT {
  private static final String USER = "alice";
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);

  /** The pipeline's events of a job's life on a node, without the stages of its preparation. */
  private static final Set<String> LIFECYCLE =
      Set.of("job-start", "job-started", "step-start", "step-end", "job-end", "cleanup");

  private static AgentCluster agents;

  @BeforeAll
  static void install(TestCluster cluster) throws Exception {
    assertThat(AgentCluster.DEMO_SIF)
        .as("demo image; run slurm-test-cluster/demo/build-image")
        .exists();
    agents = new AgentCluster(cluster);
    agents.ensureInstalled();
  }

  @AfterAll
  static void deleteJobDirectories() {
    if (agents != null) {
      agents.deleteJobDirectories();
    }
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
    assertThat(lifecycle(batchNode, job))
        .containsExactly(
            "job-start", "job-started", "step-start", "step-end", "job-end", "cleanup");
    assertThat(agents.eventNames(batchNode, job))
        .as("stages of the secured pipeline")
        .containsSubsequence("job-start", "key-release", "decrypted", "container-ready", "cleanup");
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
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);

    long job =
        agents.submit(
            USER,
            files.dir(),
            "srun -N3 --hpcs-secure=" + files.manifest() + " sh -c 'echo printed on $HPCS_NODE'",
            "-N3");
    agents.awaitGone(job, JOB_TIMEOUT);

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    assertThat(AgentCluster.output(files.dir(), job))
        .as("the plaintext Slurm output file")
        .doesNotContain("printed on")
        .contains(
            "hpcs: job "
                + job
                + ": the tasks of this step write their output to hpcs-step-0.<task>.out");
    for (String node : agents.nodes()) {
      Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
      assertThat(part.keySet())
          .as("task output files in the output part of %s", node)
          .filteredOn(name -> name.matches(node + "/hpcs-step-0\\.[0-2]\\.out"))
          .singleElement()
          .satisfies(
              name ->
                  assertThat(new String(part.get(name), StandardCharsets.UTF_8))
                      .isEqualTo("printed on " + node + "\n"));
    }
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

    long job = agents.submit(USER, manifest.getParent(), steps, "-N1", "-n4", "-w", node);
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
        .containsExactlyInAnyOrder("0", "1", "2", "3");
    assertThat(
            starts.stream().mapToInt(e -> attachedCount(e.path("detail").asText())).max().orElse(0))
        .as("largest number of steps attached at once")
        .isGreaterThanOrEqualTo(3);
  }

  @Test
  void agentKilledMidJob_restarted_jobEndCleansUp() throws Exception {
    String node = agents.nodes().get(0);
    Path manifest = agents.manifest(USER);
    agents.restartAgent(node);
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
  void agentKilledMidJob_restarted_takesJobOverAndShipsOutputOfBothSteps() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    agents.restartAgent(node);
    String srun = "srun -N1 --hpcs-secure=" + files.manifest() + " sh -c ";
    long job =
        agents.submit(
            USER,
            files.dir(),
            srun
                + "'echo before > before.txt; sleep 15' && "
                + srun
                + "'cat before.txt > after.txt; echo after >> after.txt'",
            "-N1",
            "-w",
            node);
    awaitEvent(node, job, "step-start");

    agents.killAgent(node);
    agents.startAgent(node);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    assertThat(lifecycle(node, job))
        .containsSubsequence("job-started", "step-start", "step-end", "step-start", "cleanup");
    assertThat(agents.eventNames(node, job))
        .containsSubsequence("job-resumed", "output-written", "cleanup")
        .doesNotContain("job-resume-failed");
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    assertThat(new String(part.get(node + "/after.txt"), StandardCharsets.UTF_8))
        .isEqualTo("before\nafter\n");
    assertThat(agents.stateDir(node).resolve("jobs/" + job + ".json")).doesNotExist();
  }

  @Test
  void agentKilled_jobEndsWhileDown_reaperCleansUpAfterRestart() throws Exception {
    String node = agents.nodes().get(0);
    Path manifest = agents.manifest(USER);
    agents.restartAgent(node);
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

  @Test
  void socket_badFrames_clearErrors() throws Exception {
    String node = agents.nodes().get(2);
    Path socket = agents.socket(node);
    byte[] jobEnd = frame("v=1\nop=job_end\njob=x\nnode=" + node + "\n");
    byte[] oversized = ByteBuffer.allocate(4).putInt(64 * 1024 * 1024).array();
    byte[] stepEnd = frame("v=1\nop=step_end\njob=4294967294\nstep=0\nnode=" + node + "\n");
    int payload = stepEnd.length - 4;
    byte[] truncated = Arrays.copyOf(stepEnd, 4 + 10);

    assertThat(exchange(socket, jobEnd))
        .contains("status=error", "malformed request: field 'job' is not a decimal number");
    assertThat(exchange(socket, oversized))
        .contains("status=error", "frame length 67108864 is outside 1..131072 bytes");
    assertThat(exchange(socket, truncated))
        .contains(
            "status=error",
            "truncated frame: connection closed after 10 of " + payload + " payload bytes");
    assertThat(exchange(socket, frame("v=1\nop=job_end\njob=4294967294\n")))
        .contains("status=error", "malformed request:", "'node'");
    assertThat(exchange(socket, stepEnd))
        .as("a well-formed request after the bad ones")
        .contains("status=ok");
  }

  /** Returns a frame of the payload: its 4-byte big-endian length, then its UTF-8 bytes. */
  private static byte[] frame(String payload) {
    byte[] bytes = payload.getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).array();
  }

  /** Sends the bytes as root, ends the connection's output and returns the agent's reply. */
  private static String exchange(Path socket, byte[] bytes) throws Exception {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      ByteBuffer out = ByteBuffer.wrap(bytes);
      while (out.hasRemaining()) {
        channel.write(out);
      }
      channel.shutdownOutput();
      byte[] reply = WireCodec.readFrame(channel);
      return reply == null ? "closed" : new String(reply, StandardCharsets.UTF_8);
    }
  }

  private static List<String> lifecycle(String node, long job) throws Exception {
    return agents.eventNames(node, job).stream().filter(LIFECYCLE::contains).toList();
  }

  private static String probeCommand(Path socket, String node) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String tests =
        Path.of(SocketProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
    String main =
        Path.of(WireCodec.class.getProtectionDomain().getCodeSource().getLocation().toURI())
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
