package org.hpcs.attest;

/** The server side of an attestor: checks evidence against the challenge it answers. */
public interface EvidenceVerifier {
  /** Returns the attestor name, matching {@link NodeAttestor#name()}. */
  String name();

  /**
   * Verifies the evidence. Implementations fail closed: anything unexpected is a denial.
   *
   * @throws AttestationException with a distinct reason code for each kind of denial
   */
  AttestedNode verify(Challenge challenge, Evidence evidence) throws AttestationException;
}
