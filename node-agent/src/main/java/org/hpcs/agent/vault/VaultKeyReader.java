package org.hpcs.agent.vault;

import io.github.jopenlibs.vault.EnvironmentLoader;
import io.github.jopenlibs.vault.SslConfig;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hpcs.common.api.JobStartResponse;
import org.hpcs.common.api.KeyLocation;
import org.hpcs.common.crypto.AgeIdentities;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.InvalidAgeKeyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a job's bundle keys from Vault or OpenBao the way the server released them: logs in to the
 * JWT auth mount with the job's role and the node agent's JWT-SVID, reads each key at its KV
 * version 2 HTTP path (field {@code identity}) and revokes its token ({@code
 * auth/token/revoke-self}), also when a read failed. Nothing read is written anywhere.
 */
public final class VaultKeyReader {
  private static final Logger LOG = LoggerFactory.getLogger(VaultKeyReader.class);
  private static final String FIELD = "identity";

  /** Keeps the Vault client from reading VAULT_TOKEN or VAULT_ADDR from the agent's environment. */
  private static final EnvironmentLoader NO_ENVIRONMENT =
      new EnvironmentLoader() {
        private static final long serialVersionUID = 1L;

        @Override
        public String loadVariable(String name) {
          return null;
        }
      };

  private final JwtSvidSource jwts;
  private final Optional<Path> caFile;
  private final Duration timeout;

  /**
   * Creates the reader.
   *
   * @param jwts the node agent's JWT-SVIDs
   * @param caFile PEM CA certificates for an https Vault address; empty uses the JVM's trust store
   * @param timeout connect and read timeout of each Vault call
   */
  public VaultKeyReader(JwtSvidSource jwts, Optional<Path> caFile, Duration timeout) {
    this.jwts = jwts;
    this.caFile = caFile;
    this.timeout = timeout;
  }

  /**
   * Reads the keys of every bundle in {@code release}.
   *
   * @throws KeyReleaseException naming the role or path that failed
   */
  public JobKeys read(JobStartResponse release) throws KeyReleaseException {
    requireRelease(release);
    String jwt = jwts.fetch(release.jwtAudience());
    String token = login(release, jwt);
    Vault vault = client(release.vaultAddr(), token);
    Map<String, List<AgeIdentity>> keys = new LinkedHashMap<>();
    KeyReleaseException failure = null;
    try {
      for (KeyLocation key : release.keys()) {
        keys.put(key.bundleId(), readKey(vault, release, key));
      }
    } catch (KeyReleaseException e) {
      failure = e;
      keys.clear();
    } finally {
      revoke(vault, release, failure);
    }
    if (failure != null) {
      throw failure;
    }
    LOG.info("read {} bundle keys with Vault role {}", keys.size(), release.vaultRole());
    return new JobKeys(keys);
  }

  private String login(JobStartResponse release, String jwt) throws KeyReleaseException {
    try {
      String token =
          client(release.vaultAddr(), null)
              .auth()
              .loginByJwt(release.jwtMount(), release.vaultRole(), jwt)
              .getAuthClientToken();
      if (token == null || token.isEmpty()) {
        throw new KeyReleaseException(
            "Vault login with role " + release.vaultRole() + " returned no token");
      }
      return token;
    } catch (VaultException e) {
      throw new KeyReleaseException(
          "Vault at "
              + release.vaultAddr()
              + " denied the login with role "
              + release.vaultRole()
              + " on auth/"
              + release.jwtMount()
              + " (HTTP "
              + e.getHttpStatusCode()
              + "): "
              + firstLine(e.getMessage())
              + "; the job's role may be gone (job ended, grant revoked or expired)",
          e);
    }
  }

  private List<AgeIdentity> readKey(Vault vault, JobStartResponse release, KeyLocation key)
      throws KeyReleaseException {
    String where = "Vault path " + key.httpPath();
    try {
      LogicalResponse response = vault.logical().read(key.httpPath());
      JsonObject data = response.getDataObject();
      JsonValue inner = data == null ? null : data.get("data");
      JsonValue identity = inner == null || !inner.isObject() ? null : inner.asObject().get(FIELD);
      if (identity == null || !identity.isString()) {
        throw new KeyReleaseException(
            where + " has no string field '" + FIELD + "'; the owner must store the bundle key");
      }
      return AgeIdentities.parse(identity.asString(), where);
    } catch (VaultException e) {
      throw new KeyReleaseException(
          "reading "
              + where
              + " with role "
              + release.vaultRole()
              + " failed (HTTP "
              + e.getHttpStatusCode()
              + "): "
              + firstLine(e.getMessage()),
          e);
    } catch (InvalidAgeKeyException e) {
      throw new KeyReleaseException(e.getMessage(), e);
    }
  }

  private static void revoke(Vault vault, JobStartResponse release, Exception failure) {
    try {
      vault.auth().revokeSelf();
    } catch (VaultException e) {
      String text =
          "revoking the Vault token of role "
              + release.vaultRole()
              + " failed (HTTP "
              + e.getHttpStatusCode()
              + "); it expires with the job";
      LOG.warn(text);
      if (failure != null) {
        failure.addSuppressed(new KeyReleaseException(text));
      }
    }
  }

  private Vault client(String address, String token) throws KeyReleaseException {
    try {
      VaultConfig config =
          new VaultConfig()
              .environmentLoader(NO_ENVIRONMENT)
              .address(address)
              .engineVersion(1)
              .openTimeout((int) timeout.toSeconds())
              .readTimeout((int) timeout.toSeconds());
      if (token != null) {
        config.token(token);
      }
      if (caFile.isPresent()) {
        config.sslConfig(new SslConfig().pemFile(caFile.get().toFile()).verify(true).build());
      }
      return Vault.create(config.build());
    } catch (VaultException e) {
      throw new KeyReleaseException(
          "cannot set up the Vault client for " + address + ": " + e.getMessage(), e);
    }
  }

  private static void requireRelease(JobStartResponse release) throws KeyReleaseException {
    if (release == null
        || isEmpty(release.vaultAddr())
        || isEmpty(release.vaultRole())
        || isEmpty(release.jwtMount())
        || isEmpty(release.jwtAudience())
        || release.keys() == null
        || release.keys().isEmpty()) {
      throw new KeyReleaseException(
          "the HPCS server's job start answer lacks the Vault address, role, JWT mount, audience"
              + " or key locations; check that server and node agent are the same version");
    }
  }

  private static boolean isEmpty(String value) {
    return value == null || value.isEmpty();
  }

  private static String firstLine(String text) {
    if (text == null) {
      return "";
    }
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 300 ? line.substring(0, 300) : line;
  }
}
