package org.hpcs.common.api;

import java.util.Map;

/**
 * Attestation evidence as it travels in JSON.
 *
 * @param attestor the attestor name
 * @param fields attestor-specific values; may carry secrets, so never log them
 */
public record EvidenceBody(String attestor, Map<String, String> fields) {
  @Override
  public String toString() {
    return "EvidenceBody[attestor="
        + attestor
        + ", fields="
        + (fields == null ? "null" : fields.keySet())
        + "]";
  }
}
