package org.hpcs.common.api;

import java.util.List;

/**
 * Asks for key release for a job on the calling node.
 *
 * @param user the job's cluster username
 * @param nodes every node of the job's allocation
 * @param partition the job's partition
 * @param timeLimitSeconds the job's time limit
 * @param bundles the bundles the job uses
 */
public record JobStartRequest(
    String user,
    List<String> nodes,
    String partition,
    long timeLimitSeconds,
    List<BundleRef> bundles) {}
