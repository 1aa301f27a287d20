package org.hpcs.agent.enrol;

import java.util.Optional;

/**
 * Proves this node to the HPCS server and obtains a join token for its spire-agent. Sites whose
 * SPIRE agents attest with SPIRE's own node attestors use {@link #none()}.
 */
public interface Enrolment {
  /**
   * Enrols the node.
   *
   * @return a fresh join token, or empty when this site does not enrol through HPCS
   * @throws EnrolmentException when attestation or the server call fails
   */
  Optional<JoinToken> enrol() throws EnrolmentException;

  /** Returns the enrolment of {@code attestation = spire-native}: it never issues a token. */
  static Enrolment none() {
    return Optional::empty;
  }
}
