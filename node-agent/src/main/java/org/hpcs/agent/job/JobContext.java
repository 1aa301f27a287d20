package org.hpcs.agent.job;

import java.util.Objects;
import org.hpcs.agent.protocol.StepDetails;

/**
 * Facts about a job that a pipeline stage needs, taken from the step that starts it.
 *
 * @param jobId the Slurm job id
 * @param node this node's name
 * @param uid the job user's uid
 * @param gid the job user's primary gid
 * @param details the starting step's details, including the manifest bytes
 */
public record JobContext(long jobId, String node, long uid, long gid, StepDetails details) {
  /** Rejects missing values. */
  public JobContext {
    Objects.requireNonNull(node, "node must not be null");
    Objects.requireNonNull(details, "details must not be null");
  }
}
