package org.hpcs.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.hpcs.agent.job.JobContext;
import org.hpcs.agent.job.JobFacts;
import org.hpcs.agent.protocol.ManifestData;
import org.hpcs.agent.protocol.StepDetails;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The facts the server's job start needs, looked up from the test cluster's real Slurm. */
@ExtendWith(TestClusterExtension.class)
class JobFactsIT {
  @Test
  void lookup_runningJob_userNodesPartitionAndTimeLimit(TestCluster cluster) throws Exception {
    AgentCluster agents = new AgentCluster(cluster);
    Path dir = agents.jobDirectory("alice");
    long job = agents.submit("alice", dir, "sleep 30", "-N2", "-t", "5");
    try {
      AgentCluster.await(
          Duration.ofSeconds(60),
          "job " + job + " to run",
          () -> agents.jobRecord(job).contains("JobState=RUNNING"));
      JobContext context =
          new JobContext(
              job,
              "n1",
              uid("alice"),
              uid("alice"),
              new StepDetails(
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  Optional.empty(),
                  "--hpcs-secure",
                  "",
                  ManifestData.empty(),
                  Optional.empty()));

      JobStartRequest facts =
          new JobFacts(Path.of("/usr/bin"), Optional.of(cluster.slurmConf())).lookup(context);

      assertThat(facts.user()).isEqualTo("alice");
      assertThat(facts.nodes()).hasSize(2).allMatch(cluster.slurmNodes()::contains);
      assertThat(facts.partition()).isEqualTo(cluster.slurmPartition());
      assertThat(facts.timeLimitSeconds()).isEqualTo(300);
      assertThat(facts.bundles()).isEmpty();
    } finally {
      AgentCluster.run(java.util.List.of("scancel", Long.toString(job)));
      agents.awaitGone(job, Duration.ofSeconds(60));
      agents.deleteJobDirectories();
    }
  }

  private static long uid(String user) {
    return Long.parseLong(AgentCluster.run(java.util.List.of("id", "-u", user)).strip());
  }
}
