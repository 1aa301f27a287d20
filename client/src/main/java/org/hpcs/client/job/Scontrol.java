package org.hpcs.client.job;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.hpcs.client.HpcsException;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.client.ssh.RemoteResult;

/**
 * Reads a job's record from slurmctld with {@code scontrol show job -o} over SSH. It works without
 * Slurm accounting, but slurmctld drops a job's record {@code MinJobAge} seconds after the job ends
 * (300 by default).
 */
public final class Scontrol {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private Scontrol() {}

  /**
   * Returns the job's record, or empty when slurmctld does not know the job (any more).
   *
   * @param jobId a job id already checked to contain only digits and {@code _}
   * @throws HpcsException if scontrol fails for another reason
   */
  public static Optional<SlurmJobRecord> showJob(ClusterConnection cluster, String jobId)
      throws HpcsException, IOException {
    RemoteResult result = cluster.run("scontrol show job -o " + jobId, TIMEOUT);
    if (result.succeeded() && !result.stdout().isBlank()) {
      return Optional.of(SlurmJobRecord.parse(result.stdout()));
    }
    if (result.stderr().contains("Invalid job id")) {
      return Optional.empty();
    }
    throw new HpcsException(
        "scontrol show job %s on %s failed (exit status %d): %s"
            .formatted(jobId, cluster.target(), result.exitStatus(), result.stderr().strip()),
        "check that the login node can reach slurmctld (scontrol ping)");
  }
}
