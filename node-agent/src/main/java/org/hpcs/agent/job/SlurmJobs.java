package org.hpcs.agent.job;

/** Asks Slurm whether it still runs a job. */
public interface SlurmJobs {
  /** What Slurm says about a job. */
  enum Liveness {
    /** Slurm lists the job as pending, running, suspended or completing. */
    ALIVE,
    /** Slurm no longer runs the job. */
    GONE,
    /** Slurm could not be asked (controller down, command failed). */
    UNKNOWN
  }

  /** Returns what Slurm says about the job; never throws. */
  Liveness liveness(long jobId);
}
