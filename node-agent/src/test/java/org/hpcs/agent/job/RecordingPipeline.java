package org.hpcs.agent.job;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A pipeline that records its calls and can be told to fail, for registry tests. */
final class RecordingPipeline implements JobPipeline {
  final List<String> calls = new CopyOnWriteArrayList<>();
  final AtomicInteger startFailures = new AtomicInteger();
  final AtomicInteger cleanupFailures = new AtomicInteger();
  final AtomicInteger resumeFailures = new AtomicInteger();
  final List<Boolean> cleanupStarted = new CopyOnWriteArrayList<>();
  volatile Runnable duringStart = () -> {};

  @Override
  public void startJob(JobContext job) throws PipelineException {
    sleepBriefly();
    duringStart.run();
    if (startFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      calls.add("start-failed " + job.jobId());
      throw new PipelineException("the server refused job " + job.jobId());
    }
    calls.add("start " + job.jobId());
  }

  @Override
  public StepLaunch startStep(JobContext job, long stepId) {
    calls.add("step-start " + job.jobId() + "." + stepId);
    return new StepLaunch(Path.of("/run/hpcs/launch/n1/" + job.jobId() + "." + stepId));
  }

  @Override
  public void resumeJob(JobState state) throws PipelineException {
    if (resumeFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      calls.add("resume-failed " + state.jobId());
      throw new PipelineException("the mounts of job " + state.jobId() + " are gone");
    }
    calls.add("resume " + state.jobId());
  }

  @Override
  public void endStep(long jobId, long stepId) {
    calls.add("step-end " + jobId + "." + stepId);
  }

  @Override
  public void cleanupJob(long jobId, boolean started) throws PipelineException {
    if (cleanupFailures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      throw new PipelineException("cleanup of job " + jobId + " failed");
    }
    calls.add("cleanup " + jobId);
    cleanupStarted.add(started);
  }

  long count(String call) {
    return calls.stream().filter(call::equals).count();
  }

  /** Widens the window in which concurrent steps could race, as a slow server would. */
  private static void sleepBriefly() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
