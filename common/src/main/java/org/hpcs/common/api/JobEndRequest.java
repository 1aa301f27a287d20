package org.hpcs.common.api;

/**
 * Reports that the job ended on a node.
 *
 * @param node the reporting node
 */
public record JobEndRequest(String node) {}
