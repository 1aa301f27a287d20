package org.hpcs.server.service;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import org.hpcs.server.http.ApiException;
import org.hpcs.server.slurm.JobDirectory;
import org.hpcs.server.slurm.SlurmException;
import org.hpcs.server.slurm.SlurmJob;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.JobRecord;

/**
 * Compares a node agent's report of a job with slurmctld's, so that a node cannot claim a job that
 * does not run, or runs for another user or on other nodes.
 */
final class SlurmJobCheck {
  private final JobDirectory slurm;
  private final Auditor auditor;

  /**
   * Creates the check.
   *
   * @param slurm the job directory, or null to trust the node agent's report
   */
  SlurmJobCheck(JobDirectory slurm, Auditor auditor) {
    this.slurm = slurm;
    this.auditor = auditor;
  }

  /**
   * Returns the requested job with its release window capped at Slurm's time limit.
   *
   * @throws ApiException 403 when Slurm's facts differ, 503 when Slurm cannot be asked; both are
   *     audited
   */
  JobRecord apply(JobRecord requested, AuditRecord context) throws ApiException {
    if (slurm == null) {
      return requested;
    }
    SlurmJob job = find(requested.id(), context);
    Optional<ApiException> mismatch = mismatch(job, requested);
    if (mismatch.isPresent()) {
      throw auditor.deny(mismatch.get(), context);
    }
    return capped(requested, job);
  }

  /**
   * Returns whether Slurm lists the node in the job's allocation, in any job state. Without a job
   * directory nothing can be confirmed, so it returns false.
   *
   * @throws ApiException 503 when Slurm cannot be asked
   */
  boolean allocates(String jobId, String node) throws ApiException {
    if (slurm == null) {
      return false;
    }
    try {
      return slurm.find(jobId).map(job -> job.nodes().contains(node)).orElse(false);
    } catch (SlurmException e) {
      throw ApiException.unavailable(
          "slurm-unavailable", "cannot check job " + jobId + " with Slurm: " + e.getMessage());
    }
  }

  private SlurmJob find(String id, AuditRecord context) throws ApiException {
    Optional<SlurmJob> found;
    try {
      found = slurm.find(id);
    } catch (SlurmException e) {
      throw auditor.deny(
          ApiException.unavailable(
              "slurm-unavailable", "cannot check job " + id + " with Slurm: " + e.getMessage()),
          context);
    }
    return found.orElseThrow(
        () ->
            auditor.deny(
                ApiException.forbidden("job-unknown-to-slurm", "Slurm has no job " + id), context));
  }

  private static Optional<ApiException> mismatch(SlurmJob job, JobRecord requested) {
    String prefix = "job " + job.id() + " ";
    if (!job.running()) {
      return denial("job-not-running", prefix + "is " + job.state() + " in Slurm, not RUNNING");
    }
    if (!job.user().equals(requested.user())) {
      return denial(
          "job-user-mismatch",
          prefix + "belongs to " + job.user() + " in Slurm, not " + requested.user());
    }
    if (!job.partition().equals(requested.partition())) {
      return denial(
          "job-partition-mismatch",
          prefix
              + "runs in partition "
              + job.partition()
              + " in Slurm, not "
              + requested.partition());
    }
    if (!new HashSet<>(job.nodes()).equals(new HashSet<>(requested.nodes()))) {
      return denial(
          "job-nodes-mismatch",
          prefix + "runs on " + job.nodes() + " in Slurm, not " + requested.nodes());
    }
    return Optional.empty();
  }

  private static Optional<ApiException> denial(String code, String message) {
    return Optional.of(ApiException.forbidden(code, message));
  }

  private static JobRecord capped(JobRecord requested, SlurmJob job) {
    if (job.timeLimit() == null) {
      return requested;
    }
    Instant slurmDeadline = requested.startedAt().plus(job.timeLimit());
    if (!slurmDeadline.isBefore(requested.deadlineAt())) {
      return requested;
    }
    return new JobRecord(
        requested.id(),
        requested.user(),
        requested.partition(),
        requested.nodes(),
        requested.bundles(),
        requested.startedAt(),
        slurmDeadline,
        null);
  }
}
