package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hpcs.agent.job.JobContext;
import org.hpcs.agent.job.JobFacts;
import org.hpcs.agent.job.JobPipeline;
import org.hpcs.agent.job.JobState;
import org.hpcs.agent.job.JobWorkDir;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.job.StepLaunch;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.report.Reporter;
import org.hpcs.agent.runtime.ContainerException;
import org.hpcs.agent.runtime.ContainerSpec;
import org.hpcs.agent.runtime.EnvironmentAllowList;
import org.hpcs.agent.server.ServerApi;
import org.hpcs.agent.server.ServerException;
import org.hpcs.agent.vault.VaultKeyReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secured job on a compute node. {@link #startJob} decrypts the job's bundles into encrypted
 * mounts and prepares the container ({@link JobPreparation}); {@link #startStep} writes the launch
 * file that makes the SPANK plugin run each task inside that container; {@link #cleanupJob} ships
 * the encrypted output, ends what is left of the job, unmounts and wipes everything and ends the
 * job at the server ({@link JobCleanup}). Nothing runs unsecured: a step of a job that is not
 * prepared here fails.
 */
public final class SecureJobPipeline implements JobPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(SecureJobPipeline.class);

  /** Slurm's step id of the batch step (SLURM_BATCH_SCRIPT). */
  static final long BATCH_STEP = 0xffff_fffbL;

  private final SecureJobSettings settings;
  private final Optional<ServerApi> server;
  private final Optional<JobPreparation> preparation;
  private final JobCleanup cleanup;
  private final LaunchFiles launchFiles;
  private final JobTakeover takeover;
  private final Map<Long, SecureJob> jobs = new ConcurrentHashMap<>();
  private final Map<Long, String> notTakenOver = new ConcurrentHashMap<>();
  private final Set<Long> startedAtServer = ConcurrentHashMap.newKeySet();

  /**
   * Creates the pipeline.
   *
   * @param server the HPCS server; without one every secured step fails
   * @param facts looks up user name, nodes, partition and time limit of a job
   * @param workDirs looks up a job's working directory
   * @param keyReader reads released keys from Vault
   * @param reporter receives the stages of each job
   */
  public SecureJobPipeline(
      SecureJobSettings settings,
      Optional<ServerApi> server,
      JobFacts facts,
      JobWorkDir workDirs,
      VaultKeyReader keyReader,
      Reporter reporter,
      Clock clock) {
    this.settings = settings;
    this.server = server;
    StageEvents events = new StageEvents(settings.node(), reporter, clock);
    this.preparation =
        server.map(
            api ->
                new JobPreparation(
                    settings, api, facts::lookup, workDirs::lookup, keyReader, events));
    this.launchFiles = new LaunchFiles(settings.launchDir());
    this.cleanup = new JobCleanup(settings, launchFiles, events);
    this.takeover = new JobTakeover(settings);
  }

  @Override
  public void startJob(JobContext job) throws PipelineException {
    if (preparation.isEmpty()) {
      throw new PipelineException(
          "the node agent on "
              + settings.node()
              + " has no HPCS server configured, so job "
              + job.jobId()
              + " cannot get its keys; ask the site admins to set server.url");
    }
    prepareDirectories(job);
    SecureJob prepared = preparation.get().prepare(job, startedAtServer::add);
    jobs.put(job.jobId(), prepared);
    LOG.info("job {} prepared on {}", job.jobId(), settings.node());
  }

  @Override
  public void resumeJob(JobState state) throws PipelineException {
    try {
      SecureJob adopted = takeover.adopt(state.jobId(), state.uid());
      jobs.put(state.jobId(), adopted);
      startedAtServer.add(state.jobId());
      LOG.info("job {} taken over on {}", state.jobId(), settings.node());
    } catch (PipelineException e) {
      notTakenOver.put(state.jobId(), e.getMessage());
      throw e;
    }
  }

  @Override
  public StepLaunch startStep(JobContext job, long stepId) throws PipelineException {
    SecureJob prepared = jobs.get(job.jobId());
    if (prepared == null) {
      String reason = notTakenOver.get(job.jobId());
      throw new PipelineException(
          "job "
              + job.jobId()
              + " has no prepared container on "
              + settings.node()
              + (reason == null
                  ? ""
                  : " (the node agent restarted and could not take the job over: " + reason + ")")
              + "; resubmit the job");
    }
    requireMounted(prepared, stepId);
    try {
      Optional<Path> script = batchScript(job, stepId);
      ContainerSpec spec =
          prepared.container().spec().forStep(stepEnvironment(job, stepId), script);
      List<String> prefix = new ArrayList<>(prepared.container().argvFor(spec));
      LaunchFiles.Mode mode = LaunchFiles.Mode.ARGV;
      if (script.isPresent()) {
        prefix.add(ContainerSpec.JOB_SCRIPT);
        mode = LaunchFiles.Mode.ARGS;
      }
      Path file =
          launchFiles.write(
              job.jobId(),
              stepId,
              prepared.user().gid(),
              mode,
              Optional.of(taskOutput(spec, stepId)),
              List.copyOf(prefix));
      return new StepLaunch(file);
    } catch (ContainerException | IOException | IllegalArgumentException e) {
      throw new PipelineException(
          "preparing the launch of step "
              + stepId
              + " of job "
              + job.jobId()
              + " on "
              + settings.node()
              + " failed: "
              + e.getMessage(),
          e);
    }
  }

  private void requireMounted(SecureJob prepared, long stepId) throws PipelineException {
    try {
      prepared.workspace().requireMounted();
    } catch (MountException e) {
      throw new PipelineException(
          "step "
              + stepId
              + " of job "
              + prepared.jobId()
              + " cannot run on "
              + settings.node()
              + ": "
              + e.getMessage()
              + ", so its output would not be encrypted; resubmit the job and ask the site"
              + " admins to check the node agent's log",
          e);
    }
  }

  @Override
  public void endStep(long jobId, long stepId) {
    try {
      launchFiles.delete(jobId, stepId);
    } catch (IOException e) {
      LOG.warn(
          "deleting the launch file of job {} step {} failed: {}", jobId, stepId, e.toString());
    }
  }

  @Override
  public void cleanupJob(long jobId, boolean started) throws PipelineException {
    // Removed first: a failed finish is retried through removeLeftovers, because a workspace
    // tears down once.
    SecureJob prepared = jobs.remove(jobId);
    if (prepared != null) {
      cleanup.finish(prepared);
    } else {
      cleanup.removeLeftovers(jobId);
    }
    if (server.isPresent() && (started || startedAtServer.contains(jobId))) {
      endAtServer(server.get(), jobId);
    }
    startedAtServer.remove(jobId);
    notTakenOver.remove(jobId);
  }

  private void endAtServer(ServerApi api, long jobId) throws PipelineException {
    try {
      api.endJob(jobId);
    } catch (ServerException e) {
      if (e.status() == 404) {
        LOG.info("the server does not know job {}; nothing to end there", jobId);
        return;
      }
      throw new PipelineException(
          "reporting the end of job "
              + jobId
              + " on "
              + settings.node()
              + " to the HPCS server failed: "
              + e.getMessage(),
          e);
    }
  }

  /**
   * Creates the launch directory and the workspace's base directories. JobWorkspace would create
   * missing parents of its run directory with mode 0700, which job users cannot pass.
   */
  private void prepareDirectories(JobContext job) throws PipelineException {
    try {
      launchFiles.prepare();
      BaseDirectories.create(settings.layout().runDir(), "rwx--x--x");
      BaseDirectories.makeTraversable(settings.layout().runDir());
      BaseDirectories.makeTraversable(settings.launchDir());
      BaseDirectories.create(settings.layout().stateDir(), "rwx------");
    } catch (IOException e) {
      throw new PipelineException(
          "node "
              + settings.node()
              + " cannot prepare job "
              + job.jobId()
              + ": "
              + e.getMessage()
              + "; ask the site admins to fix the agent's run and launch directories",
          e);
    }
  }

  private static Optional<Path> batchScript(JobContext job, long stepId) throws PipelineException {
    if (stepId != BATCH_STEP) {
      return Optional.empty();
    }
    String script =
        job.details()
            .batchScript()
            .orElseThrow(
                () ->
                    new PipelineException(
                        "the SPANK plugin sent no batch script path for the batch step of job "
                            + job.jobId()
                            + "; install the plugin that matches this node agent"));
    return Optional.of(Path.of(script));
  }

  /**
   * Returns where the tasks of a step write their standard output and error: a file per task in the
   * output mount. So what a task prints is encrypted with the rest of its output and never written
   * in plaintext to the job's Slurm output file.
   */
  static Path taskOutput(ContainerSpec spec, long stepId) {
    return spec.output().resolve("hpcs-step-" + stepLabel(stepId));
  }

  private static String stepLabel(long stepId) {
    return stepId == BATCH_STEP ? "batch" : Long.toString(stepId);
  }

  /** The environment of the container: these variables and the runtime's HOME, USER, PATH. */
  static EnvironmentAllowList stepEnvironment(JobContext job, long stepId)
      throws ContainerException {
    Map<String, String> variables = new LinkedHashMap<>();
    variables.put("HPCS_JOB_ID", Long.toString(job.jobId()));
    variables.put("HPCS_STEP_ID", stepLabel(stepId));
    variables.put("HPCS_NODE", job.node());
    variables.put("HPCS_INPUT", ContainerSpec.INPUT);
    variables.put("HPCS_OUTPUT", ContainerSpec.OUTPUT);
    return EnvironmentAllowList.of(variables);
  }
}
