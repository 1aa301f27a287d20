package org.hpcs.agent.enrol;

import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import org.hpcs.agent.server.EnrolmentApi;
import org.hpcs.agent.server.ServerException;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.AttestorProvider;
import org.hpcs.attest.Challenge;
import org.hpcs.attest.Evidence;
import org.hpcs.attest.NodeAttestor;
import org.hpcs.common.api.ChallengeResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enrols with an attestor plugin: requests a challenge from the server, lets the plugin answer it
 * with evidence, and sends the evidence back for a SPIRE join token. A multi-round attestor's
 * server returns a follow-up challenge instead, which the plugin answers in the next round.
 */
public final class AttestorEnrolment implements Enrolment {
  private static final Logger LOG = LoggerFactory.getLogger(AttestorEnrolment.class);

  /** The maximum number of evidence rounds the agent sends per enrolment. */
  static final int MAX_ROUNDS = 3;

  private final String node;
  private final NodeAttestor attestor;
  private final EnrolmentApi api;

  private AttestorEnrolment(String node, NodeAttestor attestor, EnrolmentApi api) {
    this.node = node;
    this.attestor = attestor;
    this.api = api;
  }

  /**
   * Finds the attestor plugin by name and configures it.
   *
   * @throws EnrolmentException when no plugin has the name or its config is invalid
   */
  public static AttestorEnrolment create(
      String node, String name, Map<String, String> config, EnrolmentApi api)
      throws EnrolmentException {
    for (AttestorProvider provider : ServiceLoader.load(AttestorProvider.class)) {
      if (provider.name().equals(name)) {
        try {
          return new AttestorEnrolment(node, provider.nodeAttestor(config), api);
        } catch (AttestationException e) {
          throw new EnrolmentException("attestor " + name + ": " + e.getMessage(), e);
        }
      }
    }
    throw new EnrolmentException(
        "no attestor plugin named '"
            + name
            + "' is installed; set attestation to spire-native or"
            + " to an installed attestor such as join-token");
  }

  private Challenge toChallenge(ChallengeResponse challenge) {
    byte[] nonce = Base64.getDecoder().decode(challenge.nonce());
    if (challenge.parameters().isEmpty()) {
      return new Challenge(nonce, node);
    }
    // The node never checks nonce age, so the receipt time is used as the issue time.
    return new Challenge(nonce, node, Instant.now(), challenge.parameters());
  }

  @Override
  public Optional<JoinToken> enrol() throws EnrolmentException {
    try {
      ChallengeResponse challenge = api.challenge(node, attestor.name());
      for (int round = 1; round <= MAX_ROUNDS; round++) {
        Evidence evidence = attestor.attest(toChallenge(challenge));
        EnrolmentApi.EnrolStep step = api.enrol(challenge.challengeId(), node, evidence);
        if (step.token().isPresent()) {
          JoinToken token = step.token().get();
          LOG.info(
              "node {} enrolled with attestor {} in {} round(s) as {}",
              node,
              attestor.name(),
              round,
              token.nodeSpiffeId());
          return Optional.of(token);
        }
        challenge = step.followUp().orElseThrow();
        LOG.info(
            "node {}: the server accepted round {} of attestor {} and sent challenge {}",
            node,
            round,
            attestor.name(),
            challenge.challengeId());
      }
      throw new EnrolmentException(
          "the server asked node "
              + node
              + " for more than "
              + MAX_ROUNDS
              + " rounds of attestor "
              + attestor.name()
              + "; check that the server and the agent run the same HPCS version");
    } catch (AttestationException e) {
      throw new EnrolmentException(
          "attestor "
              + attestor.name()
              + " on "
              + node
              + " failed ("
              + e.reason()
              + "): "
              + e.getMessage(),
          e);
    } catch (ServerException e) {
      throw new EnrolmentException(
          "enrolling node " + node + " at the HPCS server failed: " + e.getMessage(), e);
    } catch (IllegalArgumentException e) {
      throw new EnrolmentException(
          "the server's challenge for node " + node + " is malformed: " + e.getMessage(), e);
    }
  }
}
