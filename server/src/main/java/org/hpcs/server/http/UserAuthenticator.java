package org.hpcs.server.http;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hpcs.server.vault.TokenInfo;
import org.hpcs.server.vault.VaultClient;
import org.hpcs.server.vault.VaultException;

/** Authenticates users by asking Vault about their bearer token. */
public final class UserAuthenticator {
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._-]{8,512}");
  private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");

  private final VaultClient vault;
  private final String adminPolicy;
  private final List<String> loginPaths;

  /**
   * Creates the authenticator.
   *
   * @param loginPaths path prefixes of the login methods whose tokens identify users, for example
   *     {@code auth/userpass/login/}; a child token made with {@code auth/token/create} can carry
   *     any metadata, so it never identifies a user
   */
  public UserAuthenticator(VaultClient vault, String adminPolicy, List<String> loginPaths) {
    this.vault = vault;
    this.adminPolicy = adminPolicy;
    this.loginPaths = List.copyOf(loginPaths);
  }

  /**
   * Returns the user behind the Authorization header.
   *
   * @throws ApiException 401 for a missing, malformed or rejected token, 503 when Vault fails
   */
  public Caller.User authenticate(String authorization) throws ApiException {
    if (authorization == null || authorization.isBlank()) {
      throw ApiException.unauthorized(
          "token-required", "send your Vault token as 'Authorization: Bearer <token>'");
    }
    if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw ApiException.unauthorized(
          "token-required", "Authorization header must use the Bearer scheme");
    }
    String token = authorization.substring(7).strip();
    if (!TOKEN.matcher(token).matches()) {
      throw ApiException.unauthorized("token-malformed", "bearer token is not a Vault token");
    }
    Optional<TokenInfo> info;
    try {
      info = vault.lookupSelf(token);
    } catch (VaultException e) {
      throw ApiException.unavailable(
          "vault-unavailable", "cannot check the token with Vault: " + e.getMessage());
    }
    if (info.isEmpty()) {
      throw ApiException.unauthorized(
          "token-rejected", "Vault rejected the token or it names no user: log in to Vault again");
    }
    String loginPath = info.get().loginPath();
    if (loginPaths.stream().noneMatch(loginPath::startsWith)) {
      throw ApiException.unauthorized(
          "token-not-from-login",
          "the token was created at '"
              + loginPath
              + "', not by a login method this server accepts"
              + " ("
              + loginPaths
              + "): log in to Vault and send that token");
    }
    String username = info.get().username();
    if (username.isEmpty()) {
      throw ApiException.unauthorized(
          "token-rejected", "the token carries no username (meta.username): log in to Vault again");
    }
    if (!USERNAME.matcher(username).matches()) {
      throw ApiException.forbidden(
          "username-invalid", "Vault username '" + username + "' is not a valid cluster username");
    }
    return new Caller.User(
        username, info.get().policies(), info.get().policies().contains(adminPolicy));
  }
}
