package org.hpcs.agent.job;

import java.util.Optional;
import org.hpcs.agent.server.ServerApi;
import org.hpcs.agent.server.ServerException;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.common.api.JobStartResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The current pipeline: it starts the job at the HPCS server (key release is authorised there) and
 * ends it there at cleanup. Without a configured server it only records the job locally.
 *
 * <p>TODO: decrypting the bundles, the gocryptfs mounts and the container runtime come here; until
 * then a secured step runs its command directly, after the server accepted the job.
 */
public final class ServerJobPipeline implements JobPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(ServerJobPipeline.class);

  private final String node;
  private final Optional<ServerApi> server;
  private final JobFacts facts;

  /**
   * Creates the pipeline.
   *
   * @param node this node's name
   * @param server the server client, empty when the agent runs without a server
   * @param facts looks up job facts (user name, nodes, time limit) from the system and Slurm
   */
  public ServerJobPipeline(String node, Optional<ServerApi> server, JobFacts facts) {
    this.node = node;
    this.server = server;
    this.facts = facts;
  }

  @Override
  public void startJob(JobContext job) throws PipelineException {
    if (server.isEmpty()) {
      LOG.info("job {} started on {} without a server (none configured)", job.jobId(), node);
      return;
    }
    JobStartRequest request = facts.lookup(job);
    try {
      JobStartResponse released = server.get().startJob(job.jobId(), request);
      LOG.info(
          "job {} started at the server on {}: role {}, {} keys",
          job.jobId(),
          node,
          released.vaultRole(),
          released.keys() == null ? 0 : released.keys().size());
    } catch (ServerException e) {
      throw new PipelineException(
          "the HPCS server refused or failed to start job "
              + job.jobId()
              + " on "
              + node
              + ": "
              + e.getMessage(),
          e);
    }
  }

  @Override
  public void startStep(JobContext job, long stepId) {
    LOG.debug("job {} step {} starts on {}", job.jobId(), stepId, node);
  }

  @Override
  public void endStep(long jobId, long stepId) {
    LOG.debug("job {} step {} ended on {}", jobId, stepId, node);
  }

  @Override
  public void cleanupJob(long jobId, boolean started) throws PipelineException {
    if (server.isEmpty() || !started) {
      return;
    }
    try {
      server.get().endJob(jobId);
    } catch (ServerException e) {
      throw new PipelineException(
          "reporting the end of job "
              + jobId
              + " on "
              + node
              + " to the HPCS server failed: "
              + e.getMessage(),
          e);
    }
  }
}
