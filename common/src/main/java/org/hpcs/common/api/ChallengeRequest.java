package org.hpcs.common.api;

/**
 * Asks for an attestation challenge.
 *
 * @param node the Slurm node name the agent claims
 * @param attestor the attestor it will answer with, for example {@code join-token}
 */
public record ChallengeRequest(String node, String attestor) {}
