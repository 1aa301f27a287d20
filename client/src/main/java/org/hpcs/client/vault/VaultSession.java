package org.hpcs.client.vault;

import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.response.AuthResponse;
import io.github.jopenlibs.vault.response.LogicalResponse;
import io.github.jopenlibs.vault.response.LookupResponse;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.hpcs.client.HpcsException;

/**
 * Vault or OpenBao calls made by the client, through vault-java-driver. KV version 2 is configured
 * explicitly with the mount's depth, so the driver inserts {@code data/} right after the mount even
 * when the mount has several segments. Every error names the address, mount and path.
 */
public final class VaultSession {
  private static final int OPEN_TIMEOUT_SECONDS = 10;
  private static final int READ_TIMEOUT_SECONDS = 30;

  private final URI address;
  private final Vault vault;

  private VaultSession(URI address, Vault vault) {
    this.address = address;
    this.vault = vault;
  }

  /** Opens a session for a KV version 2 mount, using {@code token} (null before login). */
  public static VaultSession open(URI address, String token, String kvMount) throws HpcsException {
    try {
      VaultConfig config =
          new VaultConfig()
              .address(address.toString())
              .engineVersion(2)
              .prefixPathDepth(kvMount.split("/", -1).length)
              .openTimeout(OPEN_TIMEOUT_SECONDS)
              .readTimeout(READ_TIMEOUT_SECONDS);
      if (token != null) {
        config.token(token);
      }
      return new VaultSession(address, Vault.create(config.build()));
    } catch (VaultException e) {
      throw new HpcsException("invalid Vault address " + address, e);
    }
  }

  /** Logs in with userpass and returns the client token. */
  public String loginUserpass(String mount, String username, String password) throws HpcsException {
    try {
      AuthResponse response = vault.auth().loginByUserPass(username, password, mount);
      return response.getAuthClientToken();
    } catch (VaultException e) {
      throw failure(
          "log in as " + username + " with auth/" + mount,
          e,
          "check the user name and password (bao login -method=userpass works the same way)");
    }
  }

  /** Logs in with an OIDC/JWT ID token and returns the client token. */
  public String loginJwt(String mount, String role, String jwt) throws HpcsException {
    try {
      return vault.auth().loginByJwt(mount, role, jwt).getAuthClientToken();
    } catch (VaultException e) {
      throw failure(
          "log in with role " + role + " at auth/" + mount,
          e,
          "check that the ID token is current and the role accepts its audience and subject");
    }
  }

  /** Returns the user name behind the session's token (userpass metadata or display name). */
  public String username() throws HpcsException {
    try {
      LookupResponse self = vault.auth().lookupSelf();
      String name = Optional.ofNullable(self.getUsername()).orElse(self.getDisplayName());
      if (name == null || name.isBlank()) {
        throw new HpcsException(
            "Vault at %s returned no user name for the token".formatted(address));
      }
      int dash = name.indexOf('-');
      return self.getUsername() == null && dash > 0 ? name.substring(dash + 1) : name;
    } catch (VaultException e) {
      throw failure(
          "look up the cached token (auth/token/lookup-self)", e, "run 'hpcs login' again");
    }
  }

  /** Writes one secret field at {@code mount/data/path}. */
  public void writeField(String mount, String path, String field, String value)
      throws HpcsException {
    String where = mount + "/data/" + path;
    try {
      LogicalResponse response = vault.logical().write(mount + "/" + path, Map.of(field, value));
      int status = response.getRestResponse().getStatus();
      if (status != 200 && status != 204) {
        throw new HpcsException(
            "Vault at %s answered HTTP %d when writing %s (mount %s, path %s)"
                .formatted(address, status, where, mount, path));
      }
    } catch (VaultException e) {
      throw failure(
          "write %s (mount %s, path %s)".formatted(where, mount, path),
          e,
          "the token's policy must allow create/update on " + where);
    }
  }

  /** Reads one secret field at {@code mount/data/path}. */
  public String readField(String mount, String path, String field) throws HpcsException {
    String where = mount + "/data/" + path;
    try {
      LogicalResponse response = vault.logical().read(mount + "/" + path);
      String value = response.getData().get(field);
      if (response.getRestResponse().getStatus() != 200 || value == null) {
        throw new HpcsException(
            "Vault at %s has no field %s at %s (HTTP %d)"
                .formatted(address, field, where, response.getRestResponse().getStatus()));
      }
      return value;
    } catch (VaultException e) {
      throw failure("read " + where, e, "the token's policy must allow read on " + where);
    }
  }

  private HpcsException failure(String action, VaultException e, String hint) {
    int status = e.getHttpStatusCode();
    if (status == 0) {
      return new HpcsException(
          "cannot reach Vault at %s to %s".formatted(address, action),
          e,
          "check vault.url and that the server is running");
    }
    String reason = status == 403 ? "denied" : status == 400 ? "rejected" : "failed";
    return new HpcsException(
        "Vault at %s %s the request to %s (HTTP %d)".formatted(address, reason, action, status),
        e,
        hint);
  }
}
