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

  /** Returns whether {@link #enrol()} issues join tokens; spire-agent attests on its own if not. */
  default boolean issuesTokens() {
    return true;
  }

  /** Returns the enrolment of {@code attestation = spire-native}: it never issues a token. */
  static Enrolment none() {
    return new Enrolment() {
      @Override
      public Optional<JoinToken> enrol() {
        return Optional.empty();
      }

      @Override
      public boolean issuesTokens() {
        return false;
      }
    };
  }
}
