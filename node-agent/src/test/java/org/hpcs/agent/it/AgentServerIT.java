package org.hpcs.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The path from the node agents to the real HPCS server on the three-node test cluster: secured
 * jobs on the signed demo image as the admin guide sets them up (join-token enrolment, node SVIDs
 * from the enrolled spire-agents, mutual TLS, PrologFlags=Alloc), checked in the agents' journals
 * and the server's audit log.
 */
@ExtendWith(TestClusterExtension.class)
class AgentServerIT {
  private static final String USER = "alice";
  private static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);
  private static final Duration AUDIT_TIMEOUT = Duration.ofSeconds(30);
  private static AgentCluster agents;

  @BeforeAll
  static void install(TestCluster cluster) throws Exception {
    cluster.assumeSpire();
    cluster.assumeOpenBao();
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
  void batchJob_threeNodes_serverAuditsStartAndEndOfEachNode() throws Exception {
    Path manifest = agents.manifest(USER);
    String batchNode = agents.nodes().get(0);
    Instant submitted = Instant.now().minusSeconds(1);

    long job =
        agents.submit(USER, manifest.getParent(), "hostname", "-N3", "--hpcs-secure=" + manifest);
    agents.awaitGone(job, JOB_TIMEOUT);

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    for (String node : agents.nodes()) {
      awaitEvent(node, job, "cleanup");
      assertThat(agents.eventNames(node, job))
          .as("events of job %d on %s", job, node)
          .contains("job-start", "job-end");
      awaitAudit(job, submitted, event(node, "job-start"), "job-start event of " + node);
      awaitAudit(job, submitted, event(node, "job-end"), "job-end event of " + node);
    }
    List<AuditEntry> audit =
        awaitAudit(job, submitted, action("job.release", null), "release of job " + job);
    String bundleId = agents.securedFiles(USER).bundleId();
    assertThat(audit).anyMatch(action("job.start", batchNode));
    assertThat(audit)
        .anyMatch(action("key.release", batchNode).and(e -> bundleId.equals(e.bundleId())));
    assertThat(audit).anyMatch(action("job.end", batchNode));
    assertThat(audit).allMatch(e -> e.outcome().equals("allowed"));
  }

  @Test
  void srunStep_threeNodes_eachNodeStartsAndEndsJobAtServer() throws Exception {
    Path manifest = agents.manifest(USER);
    Instant submitted = Instant.now().minusSeconds(1);

    long job =
        agents.submit(
            USER, manifest.getParent(), "srun -N3 --hpcs-secure=" + manifest + " hostname", "-N3");
    agents.awaitGone(job, JOB_TIMEOUT);

    assertThat(agents.jobRecord(job)).contains("JobState=COMPLETED");
    assertThat(AgentCluster.output(manifest.getParent(), job).lines())
        .as("the notice of task 0; the tasks' output went to the encrypted output")
        .containsExactly(
            "hpcs: job "
                + job
                + ": the tasks of this step write their output to hpcs-step-0.<task>.out in the"
                + " job's encrypted output");
    List<AuditEntry> audit =
        awaitAudit(job, submitted, action("job.release", null), "release of job " + job);
    for (String node : agents.nodes()) {
      assertThat(audit).as("job.start on %s", node).anyMatch(action("job.start", node));
      assertThat(audit).as("job.end on %s", node).anyMatch(action("job.end", node));
    }
    assertThat(audit.stream().filter(action("job.release", null))).hasSize(1);
  }

  @Test
  void batchJob_userWithoutGrant_failsWithServerDenial() throws Exception {
    String node = agents.nodes().get(1);
    // The owner granted this bundle to alice only; its bytes are never decrypted.
    Path manifest =
        agents
            .createSecuredFiles("bob", USER, "not decrypted".getBytes(StandardCharsets.UTF_8))
            .manifest();
    Instant submitted = Instant.now().minusSeconds(1);

    long job =
        agents.submit(
            "bob",
            manifest.getParent(),
            "hostname",
            "-N1",
            "-w",
            node,
            "--hpcs-secure=" + manifest);
    agents.awaitGone(job, Duration.ofSeconds(30));

    assertThat(agents.jobRecord(job)).contains("JobState=FAILED").contains("Restarts=0");
    assertThat(AgentCluster.output(manifest.getParent(), job))
        .contains("job " + job + " on " + node)
        .contains("HTTP 403 grant-missing")
        .contains("user bob holds no live grant");
    assertThat(agents.nodeState(node)).isIn("idle", "mixed", "allocated", "completing");
    assertThat(agents.nodeReason(node)).isEmpty();
    List<AuditEntry> audit =
        awaitAudit(
            job,
            submitted,
            e -> e.action().equals("job.start") && "grant-missing".equals(e.reason()),
            "denied start of job " + job);
    assertThat(audit).noneMatch(action("key.release", node));
  }

  private static Predicate<AuditEntry> action(String action, String node) {
    return e -> e.action().equals(action) && java.util.Objects.equals(e.node(), node);
  }

  /** Matches the audit record of a job event an agent reported, such as job-start. */
  private static Predicate<AuditEntry> event(String node, String name) {
    return action("job.event", node).and(e -> e.detail().startsWith("step job " + name));
  }

  /** Polls the audit log until a record matches, because agents send events in the background. */
  private static List<AuditEntry> awaitAudit(
      long job, Instant since, Predicate<AuditEntry> expected, String what) throws Exception {
    long deadline = System.nanoTime() + AUDIT_TIMEOUT.toNanos();
    List<AuditEntry> audit = agents.audit(job, since);
    while (audit.stream().noneMatch(expected)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "no audit record of the "
                + what
                + " after "
                + AUDIT_TIMEOUT.toSeconds()
                + " s; records of job "
                + job
                + ": "
                + audit.stream().map(e -> e.action() + "@" + e.node() + " " + e.detail()).toList());
      }
      Thread.sleep(500);
      audit = agents.audit(job, since);
    }
    return audit;
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
