package org.hpcs.common.api;

import java.util.List;

/**
 * The job's state after an end report.
 *
 * @param jobId the job
 * @param remainingNodes nodes that started the job and have not ended it yet
 * @param released true once the job's Vault role and policy are deleted
 */
public record JobEndResponse(String jobId, List<String> remainingNodes, boolean released) {}
