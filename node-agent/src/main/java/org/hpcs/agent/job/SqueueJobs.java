package org.hpcs.agent.job;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Asks {@code squeue -h -j <id> -o %T} whether Slurm still runs a job. */
public final class SqueueJobs implements SlurmJobs {
  private static final Logger LOG = LoggerFactory.getLogger(SqueueJobs.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Set<String> ALIVE_STATES =
      Set.of(
          "PENDING",
          "CONFIGURING",
          "RUNNING",
          "SUSPENDED",
          "COMPLETING",
          "RESIZING",
          "REQUEUED",
          "REQUEUE_HOLD",
          "REQUEUE_FED",
          "SIGNALING",
          "STAGE_OUT",
          "STOPPED",
          "RESV_DEL_HOLD",
          "SPECIAL_EXIT");

  private static final Set<String> ENDED_STATES =
      Set.of(
          "COMPLETED",
          "CANCELLED",
          "FAILED",
          "TIMEOUT",
          "NODE_FAIL",
          "PREEMPTED",
          "BOOT_FAIL",
          "DEADLINE",
          "OUT_OF_MEMORY",
          "REVOKED");

  private final Path squeue;
  private final Optional<Path> slurmConf;

  /** Uses {@code squeue} from {@code binDir}, with SLURM_CONF set when given. */
  public SqueueJobs(Path binDir, Optional<Path> slurmConf) {
    this.squeue = binDir.resolve("squeue");
    this.slurmConf = slurmConf;
  }

  @Override
  public Liveness liveness(long jobId) {
    List<String> command = List.of(squeue.toString(), "-h", "-j", Long.toString(jobId), "-o", "%T");
    try {
      Commands.Result result = Commands.run(command, slurmConf, TIMEOUT);
      return classify(jobId, result.exitCode(), result.stdout().strip());
    } catch (IOException e) {
      LOG.warn("asking squeue about job {} failed: {}", jobId, e.getMessage());
      return Liveness.UNKNOWN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Liveness.UNKNOWN;
    }
  }

  /**
   * Maps squeue's exit code and output to a liveness. Only an empty listing, an ended state or
   * "Invalid job id" mean the job is gone; anything unexpected is UNKNOWN, so a running job is
   * never cleaned up because of an odd answer.
   */
  static Liveness classify(long jobId, int exitCode, String output) {
    if (exitCode != 0) {
      if (output.contains("Invalid job id")) {
        return Liveness.GONE;
      }
      LOG.warn("squeue for job {} failed with exit code {}: {}", jobId, exitCode, output);
      return Liveness.UNKNOWN;
    }
    if (output.isEmpty()) {
      return Liveness.GONE;
    }
    String state = output.lines().findFirst().orElse("").strip();
    if (ALIVE_STATES.contains(state)) {
      return Liveness.ALIVE;
    }
    if (ENDED_STATES.contains(state)) {
      return Liveness.GONE;
    }
    LOG.warn("squeue printed an unexpected state for job {}: {}", jobId, state);
    return Liveness.UNKNOWN;
  }
}
