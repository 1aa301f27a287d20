package org.hpcs.attest.internal;

import java.util.Base64;
import java.util.Optional;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.Evidence;

/** Decodes the base64 fields of one piece of evidence, with a stable reason on failure. */
public final class EvidenceFields {
  /** Reason code for evidence with missing or undecodable fields. */
  public static final String EVIDENCE_MALFORMED = "evidence-malformed";

  private final Evidence evidence;

  /** Wraps the evidence to read. */
  public EvidenceFields(Evidence evidence) {
    this.evidence = evidence;
  }

  /** Decodes a required base64 field. */
  public byte[] bytes(String name) throws AttestationException {
    return optionalBytes(name)
        .orElseThrow(
            () ->
                new AttestationException(
                    EVIDENCE_MALFORMED,
                    evidence.attestor()
                        + " evidence has no field '"
                        + name
                        + "'; update the node agent so that it sends this field"));
  }

  /** Decodes an optional base64 field. */
  public Optional<byte[]> optionalBytes(String name) throws AttestationException {
    String value = evidence.fields().get(name);
    if (value == null || value.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Base64.getDecoder().decode(value));
    } catch (IllegalArgumentException e) {
      throw new AttestationException(
          EVIDENCE_MALFORMED,
          evidence.attestor() + " evidence field '" + name + "' is not valid base64",
          e);
    }
  }

  /** Returns a required text field. */
  public String text(String name) throws AttestationException {
    String value = evidence.fields().get(name);
    if (value == null || value.isEmpty()) {
      throw new AttestationException(
          EVIDENCE_MALFORMED, evidence.attestor() + " evidence has no field '" + name + "'");
    }
    return value;
  }
}
