package org.hpcs.server.vault;

import java.util.Set;

/**
 * Vault's description of a caller's token.
 *
 * @param username the username from the token's metadata ({@code meta.username}), or "" when the
 *     token has none
 * @param policies token and identity policies together
 * @param loginPath the API path that created the token, for example {@code
 *     auth/userpass/login/alice}; {@code auth/token/create} for a child token
 */
public record TokenInfo(String username, Set<String> policies, String loginPath) {
  /** Copies the policies. */
  public TokenInfo {
    policies = Set.copyOf(policies);
  }
}
