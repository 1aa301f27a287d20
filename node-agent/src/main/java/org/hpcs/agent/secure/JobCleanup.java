package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.List;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.mount.FuseTools;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.mount.MountHolder;
import org.hpcs.agent.mount.TeardownReport;
import org.hpcs.agent.runtime.ContainerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a secured job on this node: stops the container and every process still using the job's
 * mounts, ships the encrypted output once, then unmounts, wipes the cipher directories and deletes
 * the launch files. Plaintext never outlives this: when the output cannot be written, the job's
 * output on this node is lost rather than kept.
 */
final class JobCleanup {
  private static final Logger LOG = LoggerFactory.getLogger(JobCleanup.class);

  private final SecureJobSettings settings;
  private final LaunchFiles launchFiles;
  private final StageEvents events;

  JobCleanup(SecureJobSettings settings, LaunchFiles launchFiles, StageEvents events) {
    this.settings = settings;
    this.launchFiles = launchFiles;
    this.events = events;
  }

  /**
   * Finishes a job prepared by this agent process.
   *
   * @throws PipelineException when a mount or directory could not be removed; a retry then goes
   *     through {@link #removeLeftovers}
   */
  void finish(SecureJob job) throws PipelineException {
    stopProcesses(job);
    if (!job.outputShipped()) {
      job.markOutputShipped();
      shipOutput(job);
    }
    try {
      TeardownReport report = job.workspace().teardown();
      LOG.info(
          "job {} torn down on {}: {} mounts removed, ended processes {}",
          job.jobId(),
          settings.node(),
          report.unmounts().size(),
          report.endedHolders().stream().map(MountHolder::pid).toList());
    } catch (MountException e) {
      throw new PipelineException(
          "removing the mounts of job "
              + job.jobId()
              + " on "
              + settings.node()
              + " failed: "
              + e.getMessage(),
          e);
    }
    deleteLaunchFiles(job.jobId());
    events.report(job.jobId(), "workspace-removed", "mounts, cipher directories, launch files");
  }

  /**
   * Removes what a job left when this agent process did not prepare it (after a restart, or after a
   * failed teardown): mounts, cipher directories and launch files.
   *
   * @throws PipelineException when something could not be removed
   */
  void removeLeftovers(long jobId) throws PipelineException {
    deleteLaunchFiles(jobId);
    String id = Long.toString(jobId);
    boolean any =
        Files.exists(settings.layout().stateDir().resolve(id), LinkOption.NOFOLLOW_LINKS)
            || Files.exists(settings.layout().runDir().resolve(id), LinkOption.NOFOLLOW_LINKS);
    if (!any) {
      return;
    }
    try {
      FuseTools tools = settings.preflight().check();
      TeardownReport report = JobWorkspace.cleanUpStale(settings.layout(), tools, id);
      LOG.warn(
          "removed {} leftover mounts of job {} on {}; its output on this node was not shipped",
          report.unmounts().size(),
          jobId,
          settings.node());
      events.report(jobId, "workspace-removed", "leftovers; output not shipped");
    } catch (MountException e) {
      throw new PipelineException(
          "removing the leftover mounts of job "
              + jobId
              + " on "
              + settings.node()
              + " failed: "
              + e.getMessage(),
          e);
    }
  }

  private void stopProcesses(SecureJob job) {
    try {
      job.container().close();
    } catch (ContainerException e) {
      LOG.warn("stopping the container of job {} failed: {}", job.jobId(), e.getMessage());
    }
    try {
      List<MountHolder> ended = job.workspace().endProcesses();
      if (!ended.isEmpty()) {
        LOG.warn(
            "ended processes {} that still used the mounts of job {}",
            ended.stream().map(h -> h.pid() + " (" + h.command() + ")").toList(),
            job.jobId());
      }
    } catch (MountException e) {
      LOG.warn("ending the processes of job {} failed: {}", job.jobId(), e.getMessage());
    }
  }

  private void shipOutput(SecureJob job) {
    try {
      OutputShipper.Shipped shipped =
          OutputShipper.ship(
              job.user(),
              job.container().spec().output(),
              job.workDir(),
              job.jobId(),
              settings.node(),
              job.outputRecipient());
      String skipped =
          shipped.skipped().isEmpty() ? "" : "; left out: " + String.join("; ", shipped.skipped());
      events.report(
          job.jobId(),
          "output-written",
          shipped.file() + " (" + shipped.bytes() + " bytes)" + skipped);
      LOG.info("job {} output written to {}{}", job.jobId(), shipped.file(), skipped);
    } catch (PipelineException e) {
      events.report(job.jobId(), "output-failed", e.getMessage());
      LOG.error("{}", e.getMessage());
    }
  }

  private void deleteLaunchFiles(long jobId) {
    try {
      launchFiles.deleteAll(jobId);
    } catch (IOException e) {
      LOG.warn("deleting the launch files of job {} failed: {}", jobId, e.toString());
    }
  }
}
