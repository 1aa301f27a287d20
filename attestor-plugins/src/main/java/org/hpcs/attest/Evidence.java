package org.hpcs.attest;

import java.util.Map;
import java.util.Objects;

/**
 * Attestation evidence produced by a node-side attestor. Values are strings (binary values
 * base64-encoded) so that the evidence travels as JSON unchanged.
 *
 * @param attestor the attestor name, for example {@code join-token}
 * @param fields the attestor-specific fields; may carry secrets, so never log them
 */
public record Evidence(String attestor, Map<String, String> fields) {
  /** Copies the fields into an unmodifiable map. */
  public Evidence {
    Objects.requireNonNull(attestor, "attestor must not be null");
    fields = Map.copyOf(Objects.requireNonNull(fields, "fields must not be null"));
  }

  @Override
  public String toString() {
    return "Evidence[attestor=" + attestor + ", fields=" + fields.keySet() + "]";
  }
}
