package org.hpcs.agent.job;

import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.hpcs.agent.protocol.Request;
import org.hpcs.agent.report.JobEvent;
import org.hpcs.agent.report.Reporter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-job state shared by the steps of a job on this node. Steps attach and detach; the job is
 * cleaned up exactly once, when its end was announced (by the epilog, or because Slurm no longer
 * runs it) and no step is attached any more. One lock per job serializes its transitions, so a step
 * never sees another step's half-done start or cleanup, and jobs do not wait for each other.
 */
public final class JobRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(JobRegistry.class);
  private static final String JOB = "job";
  private static final String INTERRUPTED =
      "the node agent restarted while it prepared the job, so the job cannot run secured steps"
          + " on this node";

  private final String node;
  private final JobStateStore store;
  private final JobPipeline pipeline;
  private final Reporter reporter;
  private final Clock clock;
  private final Map<Long, JobState> states = new ConcurrentHashMap<>();
  // NOTE: one lock object stays per job id for the agent's lifetime (tens of bytes per job);
  // removing it at cleanup could hand a late step of the same job a second lock.
  private final Map<Long, ReentrantLock> locks = new ConcurrentHashMap<>();

  /** Creates an empty registry; call {@link #recover()} to load persisted jobs. */
  public JobRegistry(
      String node, JobStateStore store, JobPipeline pipeline, Reporter reporter, Clock clock) {
    this.node = node;
    this.store = store;
    this.pipeline = pipeline;
    this.reporter = reporter;
    this.clock = clock;
  }

  /** Loads the persisted jobs and finishes cleanups that a previous run left half-done. */
  public void recover() throws IOException {
    for (JobState state : store.loadAll()) {
      states.put(state.jobId(), state);
      LOG.info(
          "recovered job {} on {}: phase {}, steps {}, ended {}",
          state.jobId(),
          node,
          state.phase(),
          state.steps(),
          state.ended());
    }
    for (JobState state : jobs()) {
      if (state.phase() == JobState.Phase.CLEANING) {
        withLock(state.jobId(), () -> cleanup(state.jobId(), "resumed after an agent restart"));
      } else if (state.phase() == JobState.Phase.STARTED) {
        withLock(state.jobId(), () -> resume(state));
      } else if (state.phase() == JobState.Phase.STARTING) {
        LOG.error("job {} on {} cannot be taken over: {}", state.jobId(), node, INTERRUPTED);
        report(state.jobId(), JOB, "job-resume-failed", INTERRUPTED);
      }
    }
  }

  /** Takes over a started job; when that fails, its steps fail and its cleanup still runs. */
  private void resume(JobState state) {
    try {
      pipeline.resumeJob(state);
      report(state.jobId(), JOB, "job-resumed", "taken over after an agent restart");
    } catch (PipelineException e) {
      LOG.error("job {} on {} cannot be taken over: {}", state.jobId(), node, e.getMessage());
      report(state.jobId(), JOB, "job-resume-failed", e.getMessage());
    }
  }

  /** Returns a snapshot of every known job, by job id. */
  public List<JobState> jobs() {
    List<JobState> list = new ArrayList<>(states.values());
    list.sort(Comparator.comparingLong(JobState::jobId));
    return list;
  }

  /** Returns the state of one job, if known. */
  public Optional<JobState> job(long jobId) {
    return Optional.ofNullable(states.get(jobId));
  }

  /** Notes a secured job that the prolog saw starting; never fails. */
  public void announce(Request.JobStart request) {
    withLock(
        request.jobId(),
        () -> {
          if (!states.containsKey(request.jobId())) {
            create(request.jobId(), request.uid(), "announced by the job prolog");
          }
        });
  }

  /**
   * Attaches a starting step, starting the job first if this is its first step here. Attaching a
   * step that is already attached prepares its launch again and records nothing new, so a repeated
   * request is harmless.
   *
   * @return how the step's tasks start
   * @throws PipelineException when the step must not run, with a message for the user
   */
  public StepLaunch attachStep(Request.StepStart request) throws PipelineException {
    ReentrantLock lock = lockOf(request.jobId());
    lock.lock();
    try {
      return attachLocked(request);
    } finally {
      lock.unlock();
    }
  }

  private StepLaunch attachLocked(Request.StepStart request) throws PipelineException {
    long jobId = request.jobId();
    JobState state = states.get(jobId);
    if (state == null) {
      state = create(jobId, Optional.of(request.uid()), "announced by its first step");
    }
    if (state.ended() || state.phase() == JobState.Phase.CLEANING) {
      throw new PipelineException(
          "job " + jobId + " already ended on " + node + "; a new step cannot start in it");
    }
    if (state.phase() == JobState.Phase.STARTING) {
      throw new PipelineException(
          "job " + jobId + " on " + node + ": " + INTERRUPTED + "; resubmit the job");
    }
    if (state.uid().isPresent() && state.uid().get() != request.uid()) {
      throw new PipelineException(
          "step "
              + request.stepId()
              + " of job "
              + jobId
              + " runs as uid "
              + request.uid()
              + ", but the job belongs to uid "
              + state.uid().get());
    }
    JobContext context =
        new JobContext(jobId, node, request.uid(), request.gid(), request.details());
    if (state.steps().contains(request.stepId())) {
      return pipeline.startStep(context, request.stepId());
    }
    state =
        state.withOwner(
            request.uid(), request.gid(), request.details().manifestPath(), clock.instant());
    if (state.phase() == JobState.Phase.ANNOUNCED) {
      state = startJob(state, context);
    }
    StepLaunch launch = pipeline.startStep(context, request.stepId());
    state = state.withStep(request.stepId(), true, clock.instant());
    persist(state, true);
    report(
        jobId, Long.toString(request.stepId()), "step-start", "steps attached: " + state.steps());
    return launch;
  }

  private JobState startJob(JobState state, JobContext context) throws PipelineException {
    // Saved first, so that an agent restarted during the preparation cleans up what it began.
    persist(state.withPhase(JobState.Phase.STARTING, clock.instant()), true);
    try {
      pipeline.startJob(context);
    } catch (PipelineException | RuntimeException e) {
      // The preparation undid its work, so the next step may try again.
      persistQuietly(state);
      report(state.jobId(), JOB, "job-start-failed", e.getMessage());
      throw e;
    }
    JobState started = state.withPhase(JobState.Phase.STARTED, clock.instant());
    persist(started, true);
    report(state.jobId(), JOB, "job-started", "pipeline started the job");
    return started;
  }

  /** Detaches an ending step; the job is cleaned up if it ended and this was its last step. */
  public void detachStep(Request.StepEnd request) {
    withLock(
        request.jobId(),
        () -> {
          JobState state = states.get(request.jobId());
          if (state == null || !state.steps().contains(request.stepId())) {
            LOG.debug(
                "step end for job {} step {} on {}: step not attached",
                request.jobId(),
                request.stepId(),
                node);
            return;
          }
          state = state.withStep(request.stepId(), false, clock.instant());
          persistQuietly(state);
          pipeline.endStep(request.jobId(), request.stepId());
          report(
              request.jobId(),
              Long.toString(request.stepId()),
              "step-end",
              "steps attached: " + state.steps());
          if (state.ended() && state.steps().isEmpty()) {
            cleanup(request.jobId(), "the last step ended after the job end");
          }
        });
  }

  /** Marks the job as ended (the epilog ran) and cleans it up once no step is attached. */
  public void endJob(Request.JobEnd request) {
    withLock(request.jobId(), () -> end(request.jobId(), "the job epilog ran", false));
  }

  /**
   * Ends and cleans up every job that Slurm no longer runs, whatever steps are still attached
   * (their step-end messages were lost), and retries cleanups that failed before.
   */
  public void reap(SlurmJobs slurm) {
    for (JobState snapshot : jobs()) {
      long jobId = snapshot.jobId();
      if (snapshot.phase() == JobState.Phase.CLEANING) {
        withLock(jobId, () -> cleanup(jobId, "retrying an earlier cleanup"));
        continue;
      }
      if (slurm.liveness(jobId) != SlurmJobs.Liveness.GONE) {
        continue;
      }
      withLock(
          jobId,
          () -> {
            JobState state = states.get(jobId);
            if (state == null) {
              return;
            }
            if (!state.steps().isEmpty()) {
              LOG.warn(
                  "job {} on {} is gone from Slurm with steps {} still attached; cleaning up",
                  jobId,
                  node,
                  state.steps());
            }
            end(jobId, "Slurm no longer runs the job", true);
          });
    }
  }

  /**
   * Marks the job as ended and cleans it up when no step is attached, or at once when {@code force}
   * is set because Slurm no longer runs the job.
   */
  private void end(long jobId, String reason, boolean force) {
    JobState state = states.get(jobId);
    if (state == null) {
      return;
    }
    if (!state.ended()) {
      state = state.withEnded(clock.instant());
      persistQuietly(state);
      report(jobId, JOB, "job-end", reason);
    }
    if (state.steps().isEmpty() || force) {
      cleanup(jobId, reason);
    } else {
      LOG.info(
          "job {} ended on {} with steps {} attached; cleanup follows the last step end",
          jobId,
          node,
          state.steps());
    }
  }

  /** Runs the pipeline cleanup once; on failure the state stays CLEANING and is retried. */
  private void cleanup(long jobId, String reason) {
    JobState state = states.get(jobId);
    if (state == null) {
      return;
    }
    boolean started = state.startAttempted();
    if (state.phase() != JobState.Phase.CLEANING) {
      state = state.withPhase(JobState.Phase.CLEANING, clock.instant());
      persistQuietly(state);
    }
    try {
      pipeline.cleanupJob(jobId, started);
    } catch (PipelineException e) {
      LOG.error(
          "cleanup of job {} on {} failed, retried on the next reaper run: {}",
          jobId,
          node,
          e.getMessage());
      report(jobId, JOB, "cleanup-failed", e.getMessage());
      return;
    }
    try {
      store.delete(jobId);
    } catch (IOException e) {
      LOG.error("deleting the state file of job {} on {} failed: {}", jobId, node, e.getMessage());
    }
    states.remove(jobId);
    report(jobId, JOB, "cleanup", reason);
    LOG.info("job {} cleaned up on {}: {}", jobId, node, reason);
  }

  private JobState create(long jobId, Optional<Long> uid, String how) {
    JobState state = JobState.announced(jobId, node, uid, clock.instant());
    persistQuietly(state);
    report(jobId, JOB, "job-start", how);
    return state;
  }

  private void persist(JobState state, boolean failStep) throws PipelineException {
    try {
      store.save(state);
      states.put(state.jobId(), state);
    } catch (IOException e) {
      LOG.error("saving the state of job {} on {} failed: {}", state.jobId(), node, e.getMessage());
      if (failStep) {
        throw new PipelineException(
            "the node agent on "
                + node
                + " cannot save the state of job "
                + state.jobId()
                + "; ask the site admins to check its state directory",
            e);
      }
    }
  }

  private void persistQuietly(JobState state) {
    states.put(state.jobId(), state);
    try {
      store.save(state);
    } catch (IOException e) {
      LOG.error("saving the state of job {} on {} failed: {}", state.jobId(), node, e.getMessage());
    }
  }

  private void report(long jobId, String step, String event, String detail) {
    reporter.report(new JobEvent(clock.instant(), node, jobId, step, event, detail));
  }

  private ReentrantLock lockOf(long jobId) {
    return locks.computeIfAbsent(jobId, id -> new ReentrantLock());
  }

  private void withLock(long jobId, Runnable action) {
    ReentrantLock lock = lockOf(jobId);
    lock.lock();
    try {
      action.run();
    } finally {
      lock.unlock();
    }
  }
}
