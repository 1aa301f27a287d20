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
  void agentKilled_nextStep_runsAndShipsBoth() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    agents.restartAgent(node);
    String srun = secureStep(files);
    long job =
        submitOnNode(
            node,
            files,
            srun
                + "'echo before > before.txt; sleep 15' && "
                + srun
                + "'cat before.txt > after.txt; echo after >> after.txt'");
    awaitEvent(node, job, "step-start");

    killAndStart(node);
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
    assertThat(agents.eventNames(node, job))
        .containsSubsequence("job-resumed", "output-written", "cleanup");
    assertThat(agents.stateDir(node).resolve("jobs/" + job + ".json")).doesNotExist();
    assertNoWorkspace(node, job);
  }

  @Test
  void agentKilledTwice_takesJobOverEachTime() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    agents.restartAgent(node);
    String srun = secureStep(files);
    long job =
        submitOnNode(
            node,
            files,
            srun + "'echo one > one.txt; sleep 20' && " + srun + "'cat one.txt > two.txt'");
    awaitEvent(node, job, "step-start");

    killAndStart(node);
    awaitEvent(node, job, "job-resumed");
    killAndStart(node);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED").contains("Restarts=0");
    List<String> events = agents.eventNames(node, job);
    assertThat(events.stream().filter("job-resumed"::equals)).hasSize(2);
    assertThat(events.stream().filter("cleanup"::equals)).hasSize(1);
    assertThat(events).doesNotContain("job-resume-failed");
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    assertThat(new String(part.get(node + "/two.txt"), StandardCharsets.UTF_8)).isEqualTo("one\n");
    assertNoWorkspace(node, job);
    assertNotDrained(node);
  }

  @Test
  void truncatedRecord_restart_stepFailsWorkspaceRemoved() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    agents.restartAgent(node);
    String marker = marker("takeover");
    String srun = secureStep(files);
    long job =
        submitOnNode(
            node,
            files,
            srun + "'sleep 15'; " + srun + "'echo " + printed(marker) + "'; echo batch-done");
    awaitEvent(node, job, "step-start");
    Path record = workspaceState(node, job).resolve("prepared.json");
    assertThat(record).exists();

    agents.killAgent(node);
    byte[] whole = Files.readAllBytes(record);
    Files.write(record, Arrays.copyOf(whole, whole.length / 2));
    agents.startAgent(node);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("Restarts=0");
    JsonNode failed =
        agents.events(node, job).stream()
            .filter(e -> e.path("event").asText().equals("job-resume-failed"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no job-resume-failed event"));
    assertThat(failed.path("detail").asText())
        .contains("job " + job + " on " + node)
        .contains("preparation record");
    String output = AgentCluster.output(files.dir(), job);
    assertThat(output)
        .contains("batch-done")
        .contains("could not take the job over")
        .doesNotContain(marker);
    assertThat(agents.eventNames(node, job).stream().filter("cleanup"::equals)).hasSize(1);
    assertNoWorkspace(node, job);
    assertNotDrained(node);
    assertNoPlaintext(marker);
  }

  @Test
  void outputUnmounted_restart_stepFailsWorkspaceRemoved() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    agents.restartAgent(node);
    String srun = secureStep(files);
    long job =
        submitOnNode(node, files, srun + "'sleep 15'; " + srun + "'echo second'; echo batch-done");
    awaitEvent(node, job, "step-start");

    agents.killAgent(node);
    Path output = runDir(node, job).resolve("output");
    assertThat(AgentCluster.exitCode(List.of("fusermount3", "-u", "-z", output.toString())))
        .isZero();
    agents.startAgent(node);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("Restarts=0");
    assertThat(agents.eventNames(node, job)).contains("job-resume-failed");
    assertThat(AgentCluster.output(files.dir(), job))
        .contains("batch-done")
        .contains("could not take the job over")
        .contains(output.toString())
        .doesNotContain("second\n");
    assertNoWorkspace(node, job);
    assertNotDrained(node);
  }

  @Test
  void cancelAfterRestart_cleansUpOnceAndShips() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    agents.restartAgent(node);
    long job =
        submitOnNode(
            node,
            files,
            "srun -N1 --hpcs-secure="
                + files.manifest()
                + " sh -c 'echo kept > kept.txt; sleep 60'");
    awaitEvent(node, job, "step-start");

    killAndStart(node);
    AgentCluster.run(List.of("scancel", Long.toString(job)));
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("JobState=CANCELLED").contains("Restarts=0");
    assertThat(agents.eventNames(node, job).stream().filter("cleanup"::equals)).hasSize(1);
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    assertThat(new String(part.get(node + "/kept.txt"), StandardCharsets.UTF_8))
        .isEqualTo("kept\n");
    assertNoWorkspace(node, job);
    assertNotDrained(node);
  }

  @Test
  void killedWhilePreparing_restart_jobEndedAtServer() throws Exception {
    String node = agents.nodes().get(0);
    // A large image keeps the agent decrypting long enough to be killed in the middle.
    AgentCluster.SecuredFiles files =
        agents.createSecuredFiles(USER, USER, new byte[384 * 1024 * 1024]);
    agents.restartAgent(node);
    java.time.Instant since = java.time.Instant.now();
    long job =
        submitOnNode(
            node, files, "srun -N1 --hpcs-secure=" + files.manifest() + " true; echo batch-done");
    awaitEvent(node, job, "mounted");

    agents.killAgent(node);
    assertThat(agents.eventNames(node, job))
        .as("the agent was killed while it prepared the job")
        .doesNotContain("container-ready", "job-start-failed");
    agents.startAgent(node);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("Restarts=0");
    assertThat(AgentCluster.output(files.dir(), job)).contains("batch-done");
    assertNoWorkspace(node, job);
    assertNotDrained(node);
    awaitServerEnd(job, node, since);
  }

  @Test
  void failedPreparation_restart_jobEndedAtServer() throws Exception {
    String node = agents.nodes().get(0);
    // Not a SIF: the server releases the key and the agent decrypts it, then the runtime rejects
    // it.
    AgentCluster.SecuredFiles files =
        agents.createSecuredFiles(USER, USER, "not a SIF".getBytes(StandardCharsets.UTF_8));
    String go = "go-" + System.nanoTime();
    agents.restartAgent(node);
    java.time.Instant since = java.time.Instant.now();
    long job =
        submitOnNode(
            node,
            files,
            "srun -N1 --hpcs-secure="
                + files.manifest()
                + " true; while [ ! -e "
                + go
                + " ]; do sleep 0.2; done; echo batch-done");
    awaitEvent(node, job, "job-start-failed");

    killAndStart(node);
    AgentCluster.run(
        List.of("runuser", "-u", USER, "--", "touch", files.dir().resolve(go).toString()));
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.eventNames(node, job)).contains("key-release");
    assertThat(AgentCluster.output(files.dir(), job)).contains("batch-done");
    assertNoWorkspace(node, job);
    awaitServerEnd(job, node, since);
  }

  @Test
  void concurrentStepsAfterRestart_allRunCleanupOnce() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    // The jobs of this class share the directory, so each waits for a file of its own.
    String go = "go-" + System.nanoTime();
    agents.restartAgent(node);
    String srun = "srun --overlap -n1 --hpcs-secure=" + files.manifest() + " sh -c ";
    String script =
        srun
            + "'sleep 30' & while [ ! -e "
            + go
            + " ]; do sleep 0.2; done; for i in 1 2 3 4; do "
            + srun
            + "\"echo \\$HPCS_STEP_ID > step-\\$HPCS_STEP_ID.txt\" & done; wait";
    long job = agents.submit(USER, files.dir(), script, "-N1", "-n4", "-w", node);
    awaitEvent(node, job, "step-start");

    killAndStart(node);
    AgentCluster.run(
        List.of("runuser", "-u", USER, "--", "touch", files.dir().resolve(go).toString()));
    AgentCluster.await(
        JOB_TIMEOUT,
        "four more step starts of job " + job,
        () -> {
          try {
            return agents.eventNames(node, job).stream().filter("step-end"::equals).count() >= 4;
          } catch (java.io.IOException e) {
            return false;
          }
        });
    AgentCluster.run(List.of("scancel", Long.toString(job)));
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("Restarts=0");
    List<String> events = agents.eventNames(node, job);
    assertThat(events.stream().filter("cleanup"::equals)).hasSize(1);
    assertThat(events).contains("job-resumed").doesNotContain("job-resume-failed");
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    for (int step = 1; step <= 4; step++) {
      assertThat(part).containsKey(node + "/step-" + step + ".txt");
    }
    assertNoWorkspace(node, job);
    assertNotDrained(node);
  }

  @Test
  void taskOutput_ptyStep_outputInEncryptedPart() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    String marker = marker("pty");

    long job =
        submitOnNode(
            node,
            files,
            "srun --pty -N1 --hpcs-secure="
                + files.manifest()
                + " sh -c 'echo "
                + printed(marker)
                + "'");
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    String output = AgentCluster.output(files.dir(), job);
    assertThat(output).doesNotContain(marker);
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    assertThat(new String(part.get(node + "/hpcs-step-0.0.out"), StandardCharsets.UTF_8))
        .as("job output: %s", output)
        .isEqualTo(marker + "\n");
    assertNoPlaintext(marker);
  }

  @Test
  void outputUnmounted_pointReplaced_stepFails() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    // The jobs of this class share the directory, so each waits for a file of its own.
    String go = "go-" + System.nanoTime();
    String marker = marker("bare");
    Path elsewhere = files.dir().resolve("elsewhere");
    String srun = "srun --overlap -n1 --hpcs-secure=" + files.manifest() + " sh -c ";
    String point = Path.of("/run/hpcs/jobs", node).toString() + "/$SLURM_JOB_ID/output";
    // The unsecured batch script runs as the job user on the host, who owns the run directory.
    String script =
        srun
            + "'sleep 20' & while [ ! -e "
            + go
            + " ]; do sleep 0.2; done; rmdir "
            + point
            + " && mkdir "
            + elsewhere
            + " && ln -s "
            + elsewhere
            + " "
            + point
            + "; "
            + srun
            + "'echo "
            + printed(marker)
            + "'; echo batch-done; kill %1";
    long job = agents.submit(USER, files.dir(), script, "-N1", "-n2", "-w", node);
    awaitEvent(node, job, "step-start");

    Path output = runDir(node, job).resolve("output");
    assertThat(AgentCluster.exitCode(List.of("umount", "-l", output.toString()))).isZero();
    AgentCluster.run(
        List.of("runuser", "-u", USER, "--", "touch", files.dir().resolve(go).toString()));
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(elsewhere).isEmptyDirectory();
    assertNoPlaintext(marker);
    assertThat(agents.jobRecord(job)).contains("Restarts=0");
    assertThat(AgentCluster.output(files.dir(), job))
        .contains("batch-done")
        .contains("The mount " + output + " of job " + job + " is gone")
        .doesNotContain(marker);
    assertNotDrained(node);
  }

  @Test
  void taskOutput_linkFifoDirectory_stepFails() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    String marker = marker("link");
    Path leak = files.dir().resolve("leak.txt");
    String srun = secureStep(files);
    String script =
        srun
            + "'ln -s "
            + leak
            + " hpcs-step-1.0.out; mkfifo hpcs-step-2.0.out; mkdir hpcs-step-3.0.out; ls -l'; "
            + srun
            + "'echo "
            + printed(marker)
            + "-1'; "
            + srun
            + "'echo "
            + printed(marker)
            + "-2'; "
            + srun
            + "'echo "
            + printed(marker)
            + "-3'; "
            + srun
            + "'echo fine'";

    long job = submitOnNode(node, files, script);
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(leak).doesNotExist();
    String output = AgentCluster.output(files.dir(), job);
    assertThat(output).doesNotContain(marker);
    for (int step = 1; step <= 3; step++) {
      assertThat(output).contains("hpcs-step-" + step + ".0.out");
    }
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    assertThat(new String(part.get(node + "/hpcs-step-4.0.out"), StandardCharsets.UTF_8))
        .isEqualTo("fine\n");
    assertThat(new String(part.get(node + "/hpcs-step-0.0.out"), StandardCharsets.UTF_8))
        .as("listing of the output mount by step 0")
        .contains("hpcs-step-1.0.out -> " + leak);
    for (Map.Entry<String, byte[]> entry : part.entrySet()) {
      assertThat(new String(entry.getValue(), StandardCharsets.UTF_8))
          .as(entry.getKey())
          .doesNotContain(marker);
    }
    assertNoPlaintext(marker);
    assertNotDrained(node);
  }

  @Test
  void taskOutput_eightTasksAndLarge_allEncrypted() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    String marker = marker("big");
    String srun = "srun -N1 --hpcs-secure=" + files.manifest();
    String script =
        srun
            + " -n8 -O sh -c 'echo "
            + printed(marker)
            + "-err >&2' && "
            + srun
            + " -n1 sh -c 'yes "
            + printed(marker)
            + " | head -c 209715200'";

    long job = agents.submit(USER, files.dir(), script, "-N1", "-n1", "-w", node);
    agents.awaitGone(job, Duration.ofMinutes(5));
    awaitEvent(node, job, "cleanup");

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    assertThat(AgentCluster.output(files.dir(), job)).doesNotContain(marker);
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    for (int task = 0; task < 8; task++) {
      assertThat(
              new String(part.get(node + "/hpcs-step-0." + task + ".out"), StandardCharsets.UTF_8))
          .as("stderr of task %d", task)
          .isEqualTo(marker + "-err\n");
    }
    assertThat(part.get(node + "/hpcs-step-1.0.out")).hasSize(209715200);
    assertNoPlaintext(marker);
  }

  @Test
  void batchStep_secured_scriptOutputInEncryptedPart() throws Exception {
    String node = agents.nodes().get(0);
    AgentCluster.SecuredFiles files = agents.securedFiles(USER);
    String marker = marker("batch");

    long job =
        agents.submit(
            USER,
            files.dir(),
            "echo " + printed(marker) + "-out; echo " + printed(marker) + "-err >&2",
            "-N1",
            "-w",
            node,
            "--hpcs-secure=" + files.manifest());
    agents.awaitGone(job, JOB_TIMEOUT);
    awaitEvent(node, job, "cleanup");

    assertThat(AgentCluster.output(files.dir(), job))
        .doesNotContain(marker)
        .contains("hpcs-step-batch.<task>.out");
    Map<String, byte[]> part = JobOutputParts.await(files.dir(), job, node, files.output());
    assertThat(new String(part.get(node + "/hpcs-step-batch.0.out"), StandardCharsets.UTF_8))
        .isEqualTo(marker + "-out\n" + marker + "-err\n");
    assertNoPlaintext(marker);
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

  /** Returns the start of a one-node secured step in a job script, followed by a quoted command. */
  private static String secureStep(AgentCluster.SecuredFiles files) {
    return "srun -N1 --hpcs-secure=" + files.manifest() + " sh -c ";
  }

  /** Submits {@code script} as the user's one-node job on {@code node}; returns its id. */
  private static long submitOnNode(String node, AgentCluster.SecuredFiles files, String script) {
    return agents.submit(USER, files.dir(), script, "-N1", "-w", node);
  }

  /** Kills the node's agent with SIGKILL and starts it again. */
  private static void killAndStart(String node) throws Exception {
    agents.killAgent(node);
    agents.startAgent(node);
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

  /** Waits until the server's audit log has the end of the job on the node. */
  private static void awaitServerEnd(long job, String node, java.time.Instant since)
      throws Exception {
    AgentCluster.await(
        JOB_TIMEOUT,
        "job.end of job " + job + " from " + node + " at the server",
        () -> {
          try {
            return agents.audit(job, since).stream()
                .anyMatch(e -> e.action().equals("job.end") && node.equals(e.node()));
          } catch (Exception e) {
            return false;
          }
        });
  }

  /**
   * Returns the job's root-only workspace state directory, which contains the cipher directories.
   */
  private static Path workspaceState(String node, long job) {
    return agents.stateDir(node).resolve("workspaces/" + job);
  }

  /** Returns the directory of the job's mount points, in the agent's default workspace.run-dir. */
  private static Path runDir(String node, long job) {
    return Path.of("/run/hpcs/jobs", node, Long.toString(job));
  }

  private static void assertNoWorkspace(String node, long job) {
    assertThat(workspaceState(node, job)).doesNotExist();
    assertThat(runDir(node, job)).doesNotExist();
    assertThat(AgentCluster.run(List.of("findmnt", "-rn", "-o", "TARGET")))
        .as("mount table")
        .doesNotContain(runDir(node, job).toString());
  }

  /**
   * Searches the disk areas of the stack and the job user for a marker that a job printed. The
   * scripts print it through {@link #printed}, so that the job script that Slurm keeps does not
   * contain it.
   */
  private static void assertNoPlaintext(String marker) throws Exception {
    Process grep =
        new ProcessBuilder(
                "grep",
                "-rlsF",
                "--binary-files=text",
                marker,
                "/home/" + USER,
                "/var/lib/hpcs-test",
                "/run/hpcs",
                "/var/log/hpcs-test")
            .redirectErrorStream(true)
            .start();
    String found = new String(grep.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(grep.waitFor()).as("grep for %s (1: not found); files: %s", marker, found).isOne();
  }

  /** Returns a marker for a job to print, unique to this call. */
  private static String marker(String kind) {
    return kind + "-marker-" + System.nanoTime();
  }

  /** Returns shell text that prints as {@code marker} but does not contain it. */
  private static String printed(String marker) {
    return marker.substring(0, 4) + "\"\"" + marker.substring(4);
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
