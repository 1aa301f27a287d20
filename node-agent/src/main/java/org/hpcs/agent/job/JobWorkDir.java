package org.hpcs.agent.job;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Looks up a job's working directory (Slurm's WorkDir), where the job's output file goes. */
public final class JobWorkDir {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private final Path binDir;
  private final Optional<Path> slurmConf;

  /** Uses squeue from {@code binDir}, with SLURM_CONF set when given. */
  public JobWorkDir(Path binDir, Optional<Path> slurmConf) {
    this.binDir = binDir;
    this.slurmConf = slurmConf;
  }

  /**
   * Returns the working directory of a running job.
   *
   * @throws PipelineException when squeue does not list the job or prints no absolute path
   */
  public Path lookup(long jobId, String node) throws PipelineException {
    List<String> command =
        List.of(binDir.resolve("squeue").toString(), "-h", "-j", Long.toString(jobId), "-o", "%Z");
    try {
      Commands.Result result = Commands.run(command, slurmConf, TIMEOUT);
      String text = result.stdout().strip();
      if (result.exitCode() != 0 || !text.startsWith("/") || text.contains("\n")) {
        throw new PipelineException(
            "squeue did not report the working directory of job "
                + jobId
                + " (exit "
                + result.exitCode()
                + "); cannot start it on "
                + node);
      }
      return Path.of(text);
    } catch (IOException e) {
      throw new PipelineException("running squeue on " + node + " failed: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PipelineException("interrupted while running squeue on " + node, e);
    }
  }
}
