package org.hpcs.agent.report;

import java.time.Instant;
import java.util.Objects;

/**
 * One event in a job's life on this node, for the journal and the server's audit log.
 *
 * @param time when it happened
 * @param node the node name
 * @param jobId the Slurm job id
 * @param step the Slurm step id, or {@code job} for job-level events
 * @param event a short name such as {@code step-start}
 * @param detail free text, never a secret
 */
public record JobEvent(
    Instant time, String node, long jobId, String step, String event, String detail) {
  /** Rejects missing values. */
  public JobEvent {
    Objects.requireNonNull(time, "time must not be null");
    Objects.requireNonNull(node, "node must not be null");
    Objects.requireNonNull(step, "step must not be null");
    Objects.requireNonNull(event, "event must not be null");
    Objects.requireNonNull(detail, "detail must not be null");
  }
}
