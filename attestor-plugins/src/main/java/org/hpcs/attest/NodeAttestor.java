package org.hpcs.attest;

/** The node side of an attestor: produces evidence that answers a server challenge. */
public interface NodeAttestor {
  /** Returns the attestor name, for example {@code join-token}. */
  String name();

  /**
   * Produces evidence for the challenge.
   *
   * @throws AttestationException when the node cannot produce evidence, for example a missing TPM
   */
  Evidence attest(Challenge challenge) throws AttestationException;
}
