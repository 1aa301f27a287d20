package org.hpcs.agent.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hpcs.agent.protocol.ManifestData;
import org.hpcs.agent.protocol.Request;
import org.hpcs.agent.protocol.StepDetails;
import org.hpcs.agent.report.JobEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRegistryTest {
  @TempDir Path dir;

  private final RecordingPipeline pipeline = new RecordingPipeline();
  private final List<JobEvent> events = new CopyOnWriteArrayList<>();
  private JobRegistry registry;

  @BeforeEach
  void setUp() throws Exception {
    registry = newRegistry();
  }

  private JobRegistry newRegistry() throws Exception {
    JobRegistry fresh =
        new JobRegistry(
            "n1", new JobStateStore(dir.resolve("jobs")), pipeline, events::add, Clock.systemUTC());
    fresh.recover();
    return fresh;
  }

  private static Request.StepStart step(long job, long step) {
    StepDetails details =
        new StepDetails(
            Optional.of(1L),
            Optional.of(0L),
            Optional.of(1L),
            Optional.of("debug"),
            Optional.of("n1"),
            "--hpcs-secure",
            "",
            ManifestData.empty(),
            Optional.empty());
    return new Request.StepStart(job, step, "n1", 1001, 1001, details);
  }

  private static Request.StepEnd stepEnd(long job, long step) {
    return new Request.StepEnd(job, step, "n1");
  }

  @Test
  void attachStep_twoSteps_startJobOnceAndShareState() throws Exception {
    registry.attachStep(step(5, 0));
    registry.attachStep(step(5, 1));

    assertThat(pipeline.count("start 5")).isEqualTo(1);
    assertThat(registry.job(5).orElseThrow().steps()).containsExactly(0L, 1L);
    assertThat(registry.job(5).orElseThrow().phase()).isEqualTo(JobState.Phase.STARTED);
  }

  @Test
  void attachStep_sameStepTwice_attachedOnceLaunchedAgain() throws Exception {
    StepLaunch first = registry.attachStep(step(5, 0));
    StepLaunch second = registry.attachStep(step(5, 0));

    assertThat(pipeline.count("start 5")).isEqualTo(1);
    assertThat(pipeline.count("step-start 5.0")).isEqualTo(2);
    assertThat(second).isEqualTo(first);
    assertThat(registry.job(5).orElseThrow().steps()).containsExactly(0L);
    assertThat(events.stream().filter(e -> e.event().equals("step-start"))).hasSize(1);
  }

  @Test
  void detachStep_otherStepStillAttached_noCleanup() throws Exception {
    registry.attachStep(step(5, 0));
    registry.attachStep(step(5, 1));

    registry.detachStep(stepEnd(5, 0));

    assertThat(registry.job(5).orElseThrow().steps()).containsExactly(1L);
    assertThat(pipeline.count("cleanup 5")).isZero();
  }

  @Test
  void detachStep_lastStep_keepsJobUntilJobEnd() throws Exception {
    registry.attachStep(step(5, 0));

    registry.detachStep(stepEnd(5, 0));

    assertThat(registry.job(5)).isPresent();
    assertThat(pipeline.count("cleanup 5")).isZero();
  }

  @Test
  void endJob_noStepAttached_cleansUpOnce() throws Exception {
    registry.attachStep(step(5, 0));
    registry.detachStep(stepEnd(5, 0));

    registry.endJob(new Request.JobEnd(5, "n1"));
    registry.endJob(new Request.JobEnd(5, "n1"));

    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
    assertThat(registry.job(5)).isEmpty();
    assertThat(Files.exists(dir.resolve("jobs/5.json"))).isFalse();
  }

  @Test
  void endJob_stepStillAttached_cleanupAfterLastStep() throws Exception {
    registry.attachStep(step(5, 0));

    registry.endJob(new Request.JobEnd(5, "n1"));
    assertThat(pipeline.count("cleanup 5")).isZero();
    registry.detachStep(stepEnd(5, 0));

    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
    assertThat(events)
        .extracting(JobEvent::event)
        .containsSubsequence(
            "job-start", "job-started", "step-start", "job-end", "step-end", "cleanup");
  }

  @Test
  void attachStep_afterJobEnd_rejected() throws Exception {
    registry.attachStep(step(5, 0));
    registry.endJob(new Request.JobEnd(5, "n1"));

    assertThatThrownBy(() -> registry.attachStep(step(5, 1)))
        .hasMessageContaining("job 5 already ended on n1");
  }

  @Test
  void attachStep_otherUid_rejected() throws Exception {
    registry.attachStep(step(5, 0));
    Request.StepStart other = new Request.StepStart(5, 1, "n1", 1002, 1002, step(5, 1).details());

    assertThatThrownBy(() -> registry.attachStep(other))
        .hasMessageContaining("runs as uid 1002, but the job belongs to uid 1001");
  }

  @Test
  void attachStep_startFails_stepRejectedAndNextStepRetries() throws Exception {
    pipeline.startFailures.set(1);

    assertThatThrownBy(() -> registry.attachStep(step(5, 0)))
        .hasMessageContaining("the server refused job 5");
    assertThat(registry.job(5).orElseThrow().steps()).isEmpty();
    registry.attachStep(step(5, 1));

    assertThat(pipeline.count("start 5")).isEqualTo(1);
    assertThat(registry.job(5).orElseThrow().steps()).containsExactly(1L);
  }

  @Test
  void concurrentSteps_oneExits_othersUnaffectedAndCleanupOnce() throws Exception {
    int steps = 8;
    ExecutorService pool = Executors.newFixedThreadPool(steps);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> results = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      long stepId = s;
      results.add(
          pool.submit(
              () -> {
                go.await();
                registry.attachStep(step(9, stepId));
                Thread.sleep(stepId * 3);
                registry.detachStep(stepEnd(9, stepId));
                return null;
              }));
    }
    go.countDown();
    for (Future<?> result : results) {
      result.get();
    }
    pool.shutdown();
    registry.endJob(new Request.JobEnd(9, "n1"));

    assertThat(pipeline.count("start 9")).isEqualTo(1);
    assertThat(pipeline.calls.stream().filter(c -> c.startsWith("step-start 9."))).hasSize(steps);
    assertThat(pipeline.count("cleanup 9")).isEqualTo(1);
  }

  @Test
  void recover_afterRestart_keepsStepsAndCleansUpOnJobEnd() throws Exception {
    registry.attachStep(step(5, 0));
    registry.attachStep(step(5, 1));

    JobRegistry restarted = newRegistry();

    assertThat(restarted.job(5).orElseThrow().steps()).containsExactly(0L, 1L);
    restarted.detachStep(stepEnd(5, 0));
    restarted.endJob(new Request.JobEnd(5, "n1"));
    restarted.detachStep(stepEnd(5, 1));
    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
    assertThat(pipeline.count("start 5")).isEqualTo(1);
  }

  @Test
  void recover_startedJob_nextStepRuns() throws Exception {
    registry.attachStep(step(5, 0));

    JobRegistry restarted = newRegistry();
    restarted.attachStep(step(5, 1));

    assertThat(pipeline.calls).containsSubsequence("start 5", "resume 5", "step-start 5.1");
    assertThat(pipeline.count("start 5")).isEqualTo(1);
    assertThat(events).extracting(JobEvent::event).contains("job-resumed");
  }

  @Test
  void recover_takeoverFails_cleanedUpAtEnd() throws Exception {
    registry.attachStep(step(5, 0));
    pipeline.resumeFailures.set(1);

    JobRegistry restarted = newRegistry();

    assertThat(restarted.job(5).orElseThrow().phase()).isEqualTo(JobState.Phase.STARTED);
    assertThat(events)
        .filteredOn(e -> e.event().equals("job-resume-failed"))
        .extracting(JobEvent::detail)
        .containsExactly("the mounts of job 5 are gone");
    restarted.detachStep(stepEnd(5, 0));
    restarted.endJob(new Request.JobEnd(5, "n1"));
    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
  }

  @Test
  void recover_announcedJob_notTakenOver() throws Exception {
    registry.announce(new Request.JobStart(6, "n1", Optional.of(1001L), Optional.empty()));

    newRegistry();

    assertThat(pipeline.calls).noneMatch(call -> call.startsWith("resume"));
  }

  @Test
  void attachStep_duringStart_savedAsStarting() throws Exception {
    List<JobState.Phase> saved = new CopyOnWriteArrayList<>();
    pipeline.duringStart =
        () -> {
          try {
            new JobStateStore(dir.resolve("jobs")).loadAll().forEach(s -> saved.add(s.phase()));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        };

    registry.attachStep(step(5, 0));

    assertThat(saved).containsExactly(JobState.Phase.STARTING);
    assertThat(registry.job(5).orElseThrow().phase()).isEqualTo(JobState.Phase.STARTED);
  }

  @Test
  void attachStep_startFails_phaseBackToAnnounced() throws Exception {
    pipeline.startFailures.set(1);

    assertThatThrownBy(() -> registry.attachStep(step(5, 0))).isInstanceOf(PipelineException.class);

    assertThat(newRegistry().job(5).orElseThrow().phase()).isEqualTo(JobState.Phase.ANNOUNCED);
  }

  @Test
  void recover_startFailedBeforeRestart_cleanupAsStarted() throws Exception {
    pipeline.startFailures.set(1);
    assertThatThrownBy(() -> registry.attachStep(step(5, 0))).isInstanceOf(PipelineException.class);

    JobRegistry restarted = newRegistry();
    restarted.endJob(new Request.JobEnd(5, "n1"));

    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
    assertThat(pipeline.cleanupStarted).containsExactly(true);
  }

  @Test
  void announce_thenJobEnd_cleanupAsNotStarted() {
    registry.announce(new Request.JobStart(6, "n1", Optional.of(1001L), Optional.empty()));

    registry.endJob(new Request.JobEnd(6, "n1"));

    assertThat(pipeline.cleanupStarted).containsExactly(false);
  }

  @Test
  void recover_diedWhilePreparing_stepsFail() throws Exception {
    JobState preparing =
        JobState.announced(5, "n1", Optional.of(1001L), Instant.now())
            .withPhase(JobState.Phase.STARTING, Instant.now());
    new JobStateStore(dir.resolve("jobs")).save(preparing);

    JobRegistry restarted = newRegistry();

    assertThat(events)
        .filteredOn(e -> e.event().equals("job-resume-failed"))
        .extracting(JobEvent::detail)
        .singleElement()
        .asString()
        .contains("restarted while it prepared the job");
    assertThatThrownBy(() -> restarted.attachStep(step(5, 1)))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("job 5 on n1")
        .hasMessageContaining("resubmit the job");
    assertThat(pipeline.calls).noneMatch(call -> call.startsWith("start"));
    restarted.endJob(new Request.JobEnd(5, "n1"));
    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
    assertThat(pipeline.cleanupStarted).containsExactly(true);
    assertThat(restarted.job(5)).isEmpty();
  }

  @Test
  void recover_interruptedCleanup_resumes() throws Exception {
    registry.attachStep(step(5, 0));
    pipeline.cleanupFailures.set(1);
    registry.detachStep(stepEnd(5, 0));
    registry.endJob(new Request.JobEnd(5, "n1"));
    assertThat(registry.job(5).orElseThrow().phase()).isEqualTo(JobState.Phase.CLEANING);

    JobRegistry restarted = newRegistry();

    assertThat(restarted.job(5)).isEmpty();
    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
  }

  @Test
  void reap_jobGoneFromSlurm_cleansUpDespiteAttachedStep() throws Exception {
    registry.attachStep(step(5, 0));
    registry.attachStep(step(6, 0));

    registry.reap(job -> job == 5 ? SlurmJobs.Liveness.GONE : SlurmJobs.Liveness.ALIVE);

    assertThat(registry.job(5)).isEmpty();
    assertThat(registry.job(6)).isPresent();
    assertThat(pipeline.count("cleanup 5")).isEqualTo(1);
  }

  @Test
  void reap_slurmUnreachable_keepsJobs() throws Exception {
    registry.attachStep(step(5, 0));

    registry.reap(job -> SlurmJobs.Liveness.UNKNOWN);

    assertThat(registry.job(5)).isPresent();
  }

  @Test
  void announce_thenJobEnd_cleansUpWithoutStart() {
    registry.announce(new Request.JobStart(7, "n1", Optional.of(1001L), Optional.of("/m.json")));

    registry.endJob(new Request.JobEnd(7, "n1"));

    assertThat(pipeline.count("cleanup 7")).isEqualTo(1);
    assertThat(pipeline.count("start 7")).isZero();
    assertThat(events)
        .extracting(JobEvent::event)
        .containsExactly("job-start", "job-end", "cleanup");
  }

  @Test
  void detachStep_unknownJob_ignored() {
    registry.detachStep(stepEnd(99, 0));

    assertThat(registry.jobs()).isEmpty();
    assertThat(events).isEmpty();
  }
}
