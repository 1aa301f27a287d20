package org.hpcs.server.vault;

import java.util.Set;

/**
 * What Vault says about a caller's token.
 *
 * @param username the username taken from the token's metadata or display name
 * @param policies token and identity policies together
 */
public record TokenInfo(String username, Set<String> policies) {
  /** Copies the policies. */
  public TokenInfo {
    policies = Set.copyOf(policies);
  }
}
