package org.hpcs.common.api;

/**
 * Asks for an HPCS join token for one node (admin only).
 *
 * @param node the Slurm node name the token is bound to
 * @param ttlSeconds the token lifetime in seconds
 */
public record JoinTokenRequest(String node, long ttlSeconds) {}
