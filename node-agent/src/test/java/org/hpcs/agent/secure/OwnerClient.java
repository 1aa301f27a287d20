package org.hpcs.agent.secure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.api.GrantRequest;
import org.hpcs.common.api.HpcsApiClient;
import org.hpcs.common.api.Json;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.testcluster.TestCluster;

/**
 * What the data owner and an admin do at an HPCS server of the test stack: log in to OpenBao with
 * userpass, deposit bundle keys, register bundles, grant and revoke, read the audit log.
 */
public final class OwnerClient {
  public static final String OWNER = "owner";
  private static final ObjectMapper JSON = Json.lenient();

  private final TestCluster cluster;
  private final URI serverUrl;
  private final SSLContext serverTls;
  private final HttpClient bao = HttpClient.newHttpClient();

  /** Talks to the server at {@code serverUrl}, whose certificate the stack's server CA issued. */
  public OwnerClient(TestCluster cluster, URI serverUrl) throws Exception {
    this.cluster = cluster;
    this.serverUrl = serverUrl;
    this.serverTls = trusting(Path.of(cluster.env("HPCS_SERVER_CA")));
  }

  /** Deposits a bundle key in OpenBao as the owner. */
  public void depositKey(String bundleId, AgeIdentity identity) throws Exception {
    bao(
        "POST",
        cluster.baoKvMount() + "/data/owners/" + OWNER + "/bundles/" + bundleId,
        login(OWNER),
        Map.of("data", Map.of("identity", identity.secretText())));
  }

  /** Registers a bundle manifest as the owner and returns the manifest's recorded SHA-256. */
  public String register(Path manifestFile) throws Exception {
    return owner().registerBundle(Files.readAllBytes(manifestFile)).manifestSha256();
  }

  /** Grants a bundle to a user and returns the grant id. */
  public String grant(String bundleId, String user, Instant expiresAt) throws Exception {
    return owner().grant(new GrantRequest(bundleId, user, null, null, expiresAt)).grantId();
  }

  /** Revokes a grant as the owner. */
  void revoke(String grantId) throws Exception {
    owner().revoke(grantId);
  }

  /** Returns the audit records of a job, as an admin reads them. */
  public List<AuditEntry> audit(long job) throws Exception {
    return client(login(cluster.baoAdminUser())).audit(null, Long.toString(job)).entries();
  }

  /** Returns the newest audit records of every kind, as an admin reads them. */
  List<AuditEntry> auditAll() throws Exception {
    return client(login(cluster.baoAdminUser())).audit(null, null).entries();
  }

  private HpcsApiClient owner() throws Exception {
    return client(login(OWNER));
  }

  private HpcsApiClient client(String token) {
    return new HpcsApiClient(serverUrl, serverTls, () -> token);
  }

  private String login(String user) throws Exception {
    return bao(
            "POST",
            "auth/" + cluster.baoUserpassMount() + "/login/" + user,
            null,
            Map.of("password", cluster.userPassword(user)))
        .path("auth")
        .path("client_token")
        .asText();
  }

  private JsonNode bao(String method, String path, String token, Object body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(cluster.baoAddr().resolve("/v1/" + path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (token != null) {
      request.header("X-Vault-Token", token);
    }
    HttpResponse<byte[]> response =
        bao.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() >= 300) {
      throw new IllegalStateException(
          method
              + " "
              + path
              + " returned HTTP "
              + response.statusCode()
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body().length == 0 ? JSON.nullNode() : JSON.readTree(response.body());
  }

  private static SSLContext trusting(Path caFile) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (var in = Files.newInputStream(caFile)) {
      int index = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + index++, cert);
      }
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
