package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(TestClusterExtension.class)
class SlurmBatchJobIT {

  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(2);

  @Test
  void sbatch_threeNodesAsAlice_runsOneTaskOnEachNode(TestCluster cluster) {
    BatchJob job =
        cluster
            .slurm()
            .run(
                "alice",
                JOB_TIMEOUT,
                "srun bash -c 'echo \"$SLURMD_NODENAME $(id -un)\"'",
                "--nodes=3",
                "--partition=" + cluster.slurmPartition());

    assertThat(job.completed()).as("job %s", job).isTrue();
    assertThat(job.output().lines().sorted())
        .as("output of job %d", job.id())
        .containsExactly("n1 alice", "n2 alice", "n3 alice");
  }

  @Test
  void sbatch_failingCommand_reportsFailedState(TestCluster cluster) {
    BatchJob job = cluster.slurm().run("bob", JOB_TIMEOUT, "id -un; exit 3", "--nodes=1");

    assertThat(job.state()).isEqualTo("FAILED");
    assertThat(job.exitCode()).isEqualTo("3:0");
    assertThat(job.output().strip()).isEqualTo("bob");
  }
}
