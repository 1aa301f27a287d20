package org.hpcs.agent.job;

/**
 * The per-job work on a compute node. The {@link JobRegistry} calls {@link #startJob} once per job
 * on this node before its first secured step runs, {@link #startStep} and {@link #endStep} for each
 * step, and {@link #cleanupJob} exactly once after the job ended, also after an agent restart.
 * Calls for one job never overlap; calls for different jobs may.
 */
public interface JobPipeline {
  /**
   * Prepares the job on this node: key release, mounts and image, as far as implemented.
   *
   * @throws PipelineException when the job must not run here; the step fails with its message
   */
  void startJob(JobContext job) throws PipelineException;

  /**
   * Prepares one step of a started job and returns how its tasks start. Calling it again for the
   * same step prepares the same launch again.
   *
   * @throws PipelineException when the step must not run; it fails with the message
   */
  StepLaunch startStep(JobContext job, long stepId) throws PipelineException;

  /**
   * Takes over a job that an earlier agent process started on this node, after a restart, so that
   * its next steps run and its cleanup works as if this process had started it.
   *
   * @param state the job's persisted state, in phase {@link JobState.Phase#STARTED}
   * @throws PipelineException when the job cannot be taken over; its steps then fail with the
   *     message, and {@link #cleanupJob} still removes what it left
   */
  void resumeJob(JobState state) throws PipelineException;

  /** Notes that a step ended; never fails the job. */
  void endStep(long jobId, long stepId);

  /**
   * Removes everything the job left on this node. It must tolerate work that a crashed earlier
   * attempt already did, because an interrupted cleanup runs again after a restart.
   *
   * @param started whether {@link #startJob} ran for the job, even if it failed or an earlier agent
   *     process ended during it, so that the HPCS server may have started the job
   * @throws PipelineException when something could not be removed; cleanup is retried later
   */
  void cleanupJob(long jobId, boolean started) throws PipelineException;
}
