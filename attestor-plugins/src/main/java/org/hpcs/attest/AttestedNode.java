package org.hpcs.attest;

import java.util.Map;
import java.util.Objects;

/**
 * The identity that a verifier established for a node.
 *
 * @param nodeName the Slurm node name
 * @param attestor the attestor that verified it
 * @param selectors facts about the node that policy may match on, for example a TPM's EK hash
 */
public record AttestedNode(String nodeName, String attestor, Map<String, String> selectors) {
  /** Copies the selectors into an unmodifiable map. */
  public AttestedNode {
    Objects.requireNonNull(nodeName, "nodeName must not be null");
    Objects.requireNonNull(attestor, "attestor must not be null");
    selectors = Map.copyOf(Objects.requireNonNull(selectors, "selectors must not be null"));
  }
}
