package org.hpcs.agent.job;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * State of one job on this node, persisted as one JSON file per job.
 *
 * @param jobId the Slurm job id
 * @param node the node name
 * @param uid the job user's uid, once known
 * @param gid the job user's primary gid, once known
 * @param manifestPath the job manifest path, empty for the site defaults
 * @param phase how far the job has come on this node
 * @param steps the secured steps attached to the job's state, in ascending order
 * @param ended whether the job's end was announced (the epilog ran)
 * @param created when the agent first heard of the job
 * @param updated when the state last changed
 */
public record JobState(
    long jobId,
    String node,
    Optional<Long> uid,
    Optional<Long> gid,
    String manifestPath,
    Phase phase,
    List<Long> steps,
    boolean ended,
    Instant created,
    Instant updated) {

  /** Phases of a job's state on this node. */
  public enum Phase {
    /** The job is known (from its prolog or a first step) but its pipeline has not started. */
    ANNOUNCED,
    /**
     * The pipeline is preparing the job. After a restart this means that the agent stopped during
     * the preparation. Such a job cannot be taken over, so its steps fail, and its cleanup runs as
     * for a started job.
     */
    STARTING,
    /** The pipeline started the job; steps may attach. */
    STARTED,
    /** Cleanup began; it resumes after an agent restart. */
    CLEANING
  }

  /** Sorts the steps and rejects missing values. */
  public JobState {
    Objects.requireNonNull(node, "node must not be null");
    Objects.requireNonNull(manifestPath, "manifestPath must not be null");
    Objects.requireNonNull(phase, "phase must not be null");
    steps = List.copyOf(new TreeSet<>(steps));
  }

  /** Returns the state of a job the agent has just heard of. */
  public static JobState announced(long jobId, String node, Optional<Long> uid, Instant now) {
    return new JobState(
        jobId, node, uid, Optional.empty(), "", Phase.ANNOUNCED, List.of(), false, now, now);
  }

  /**
   * Returns whether the pipeline's start ran for this job on this node, also when it failed or the
   * agent stopped during it, so that the HPCS server may have started the job. Only a step that
   * attaches sets the gid ({@link #withOwner}), right before the start.
   */
  public boolean startAttempted() {
    return phase != Phase.ANNOUNCED || gid.isPresent();
  }

  /** Returns a copy with another phase. */
  public JobState withPhase(Phase next, Instant now) {
    return new JobState(jobId, node, uid, gid, manifestPath, next, steps, ended, created, now);
  }

  /** Returns a copy with the user and manifest of a starting step. */
  public JobState withOwner(long newUid, long newGid, String path, Instant now) {
    return new JobState(
        jobId,
        node,
        Optional.of(newUid),
        Optional.of(newGid),
        path,
        phase,
        steps,
        ended,
        created,
        now);
  }

  /** Returns a copy with one more or one less attached step. */
  public JobState withStep(long step, boolean attached, Instant now) {
    SortedSet<Long> next = new TreeSet<>(steps);
    if (attached) {
      next.add(step);
    } else {
      next.remove(step);
    }
    return new JobState(
        jobId, node, uid, gid, manifestPath, phase, List.copyOf(next), ended, created, now);
  }

  /** Returns a copy marked as ended. */
  public JobState withEnded(Instant now) {
    return new JobState(jobId, node, uid, gid, manifestPath, phase, steps, true, created, now);
  }
}
