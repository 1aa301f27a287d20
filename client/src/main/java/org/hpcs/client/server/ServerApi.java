package org.hpcs.client.server;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.config.ConfigLoader;
import org.hpcs.client.vault.TokenCache;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.api.Grant;
import org.hpcs.common.api.GrantRequest;
import org.hpcs.common.api.HpcsApiClient;
import org.hpcs.common.api.HpcsApiException;

/**
 * The HPCS server as the hpcs commands use it: {@link HpcsApiClient} with the cached Vault token,
 * and every failure turned into an {@link HpcsException} that names the call and the fix.
 */
public final class ServerApi {
  private final URI url;
  private final HpcsApiClient client;

  private ServerApi(URI url, HpcsApiClient client) {
    this.url = url;
    this.client = client;
  }

  /**
   * Opens the server of {@code server.url}, trusting {@code server.ca-file}, with the token that
   * {@code hpcs login} cached.
   *
   * @param command the hpcs command, for the message about missing settings
   * @throws HpcsException if a setting is missing, the CA file is unusable or no Vault token is
   *     cached
   */
  public static ServerApi open(ClientConfig config, String command)
      throws HpcsException, IOException {
    ConfigLoader.require(config, command, "server.url", config.serverUrl());
    URI url = config.serverUrl().get();
    String token = TokenCache.read(config.tokenFile());
    return new ServerApi(
        url, new HpcsApiClient(url, ServerTrust.context(config.serverCaFile()), () -> token));
  }

  /** Registers a bundle from the exact bytes of its manifest file. */
  public BundleInfo registerBundle(byte[] manifestJson) throws HpcsException {
    try {
      return client.registerBundle(manifestJson);
    } catch (HpcsApiException e) {
      throw failure("registering the bundle", e);
    }
  }

  /** Grants a user the use of one of the caller's bundles. */
  public Grant grant(GrantRequest request) throws HpcsException {
    try {
      return client.grant(request);
    } catch (HpcsApiException e) {
      throw failure("granting bundle " + request.bundleId() + " to " + request.user(), e);
    }
  }

  /** Revokes a grant of one of the caller's bundles. */
  public Grant revoke(String grantId) throws HpcsException {
    try {
      return client.revoke(grantId);
    } catch (HpcsApiException e) {
      throw failure("revoking grant " + grantId, e);
    }
  }

  /**
   * Lists grants, newest first.
   *
   * @param bundleId one bundle, or null for all
   * @param received true for the grants the caller received, false for those the caller gave
   */
  public List<Grant> grants(String bundleId, boolean received) throws HpcsException {
    try {
      return received ? client.grantsReceived(bundleId).grants() : client.grants(bundleId).grants();
    } catch (HpcsApiException e) {
      throw failure("listing grants", e);
    }
  }

  /**
   * Reads the audit trail, oldest first.
   *
   * @param bundleId one bundle, or null
   * @param jobId one job, or null
   */
  public List<AuditEntry> audit(String bundleId, String jobId) throws HpcsException {
    try {
      return client.audit(bundleId, jobId).entries();
    } catch (HpcsApiException e) {
      throw failure("reading the audit trail", e);
    }
  }

  /** Returns the server's URL. */
  public URI url() {
    return url;
  }

  private HpcsException failure(String action, HpcsApiException e) {
    if (e.status() == 0) {
      return transportFailure(action, e);
    }
    List<String> hints = new ArrayList<>();
    switch (e.error()) {
      case "token-rejected", "token-malformed", "token-required", "token-not-from-login" ->
          hints.add("run 'hpcs login' again: the server does not accept the cached Vault token");
      case "not-bundle-owner" -> hints.add("only the bundle's owner may do this");
      case "bundle-unknown" ->
          hints.add("register the bundle first: hpcs bundle register <name>.manifest.json");
      case "grant-unknown" -> hints.add("list your grants with 'hpcs grants'");
      case "signing-key-mismatch" ->
          hints.add(
              "the server pinned the signing key of your first bundle; create bundles with"
                  + " that key (keys.dir/signing-ed25519.pem)");
      case "key-mount-mismatch" -> hints.add("set vault.kv.mount as the message says");
      default -> {
        // The server's message already names the value at fault and the fix.
      }
    }
    return new HpcsException(
        "%s failed: HPCS server %s returned HTTP %d (%s): %s"
            .formatted(action, url, e.status(), e.error(), e.getMessage()),
        e,
        hints.toArray(String[]::new));
  }

  private HpcsException transportFailure(String action, HpcsApiException e) {
    if (causedBy(e, SSLException.class)) {
      return new HpcsException(
          "%s failed: TLS connection to HPCS server %s failed (%s)"
              .formatted(action, url, rootMessage(e)),
          e,
          "set server.ca-file to the CA certificate (PEM) that signed the server's certificate",
          "the certificate must name the host of server.url");
    }
    return new HpcsException(
        "%s failed: HPCS server %s cannot be reached (%s)".formatted(action, url, rootMessage(e)),
        e,
        "check server.url and that the server is running");
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
  }
}
