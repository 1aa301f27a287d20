package org.hpcs.agent.enrol;

import java.util.Objects;

/**
 * A one-time SPIRE join token issued to this node (a secret: {@link #toString()} hides it).
 *
 * @param value the token
 * @param nodeSpiffeId the SPIFFE ID the server assigned to the node agent
 */
public record JoinToken(String value, String nodeSpiffeId) {
  /** Rejects missing values. */
  public JoinToken {
    Objects.requireNonNull(value, "value must not be null");
    Objects.requireNonNull(nodeSpiffeId, "nodeSpiffeId must not be null");
  }

  @Override
  public String toString() {
    return "JoinToken[nodeSpiffeId=" + nodeSpiffeId + ", value=(hidden)]";
  }
}
