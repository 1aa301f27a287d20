package org.hpcs.agent.protocol;

import java.util.Objects;
import java.util.Optional;

/**
 * Optional facts about a starting step.
 *
 * @param nodeCount number of nodes in the job
 * @param nodeIndex index of this node in the job
 * @param localTasks number of the step's tasks on this node
 * @param partition the job's partition
 * @param nodeList the job's node list in Slurm's compressed form
 * @param source where the request came from: {@code --hpcs-secure} or {@code HPCS_SECURE}
 * @param manifestPath absolute manifest path, empty for the site defaults
 * @param manifest the manifest bytes as read with the job user's rights
 * @param batchScript the host path of the batch script, sent for the batch step only
 */
public record StepDetails(
    Optional<Long> nodeCount,
    Optional<Long> nodeIndex,
    Optional<Long> localTasks,
    Optional<String> partition,
    Optional<String> nodeList,
    String source,
    String manifestPath,
    ManifestData manifest,
    Optional<String> batchScript) {

  /** Rejects missing values. */
  public StepDetails {
    Objects.requireNonNull(source, "source must not be null");
    Objects.requireNonNull(manifestPath, "manifestPath must not be null");
    Objects.requireNonNull(manifest, "manifest must not be null");
    Objects.requireNonNull(batchScript, "batchScript must not be null");
  }
}
