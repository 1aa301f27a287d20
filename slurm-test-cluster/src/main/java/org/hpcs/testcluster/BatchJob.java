package org.hpcs.testcluster;

/**
 * A finished Slurm batch job.
 *
 * @param id the job id
 * @param state the final job state (COMPLETED, FAILED, CANCELLED, TIMEOUT, ...)
 * @param exitCode Slurm's exit code field, {@code <status>:<signal>}
 * @param output the job's standard output file
 */
public record BatchJob(long id, String state, String exitCode, String output) {

  /** True when Slurm reports the job COMPLETED with exit code 0:0. */
  public boolean completed() {
    return "COMPLETED".equals(state) && "0:0".equals(exitCode);
  }
}
