package org.hpcs.common.api;

/**
 * Answers a challenge with evidence.
 *
 * @param challengeId the challenge being answered
 * @param node the Slurm node name, equal to the one in the challenge request
 * @param evidence the attestor's evidence
 */
public record EnrolRequest(String challengeId, String node, EvidenceBody evidence) {}
