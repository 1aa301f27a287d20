package org.hpcs.agent.protocol;

import java.util.Optional;

/** A request from the SPANK plugin, one per connection. */
public sealed interface Request
    permits Request.JobStart, Request.StepStart, Request.StepEnd, Request.JobEnd {

  /** Returns the Slurm job id. */
  long jobId();

  /** Returns the node name the plugin runs on. */
  String node();

  /**
   * The job prolog saw a secured job starting on this node.
   *
   * @param jobId the Slurm job id
   * @param node the node name
   * @param uid the job user's uid, if the prolog could read it
   * @param manifestPath the manifest path passed on at submit time, empty for the site defaults
   */
  record JobStart(long jobId, String node, Optional<Long> uid, Optional<String> manifestPath)
      implements Request {}

  /**
   * A secured step is about to start its tasks on this node.
   *
   * @param jobId the Slurm job id
   * @param stepId the Slurm step id (batch and interactive steps use Slurm's reserved values)
   * @param node the node name
   * @param uid the job user's uid
   * @param gid the job user's primary gid
   * @param details further facts about the step the plugin could read
   */
  record StepStart(long jobId, long stepId, String node, long uid, long gid, StepDetails details)
      implements Request {}

  /**
   * A secured step ended on this node.
   *
   * @param jobId the Slurm job id
   * @param stepId the Slurm step id
   * @param node the node name
   */
  record StepEnd(long jobId, long stepId, String node) implements Request {}

  /**
   * The job epilog ran on this node: every step of the job on this node has ended.
   *
   * @param jobId the Slurm job id
   * @param node the node name
   */
  record JobEnd(long jobId, String node) implements Request {}
}
