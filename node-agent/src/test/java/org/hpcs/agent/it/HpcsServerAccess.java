package org.hpcs.agent.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.api.BundleInfo;
import org.hpcs.common.api.GrantRequest;
import org.hpcs.common.api.HpcsApiClient;
import org.hpcs.common.api.Json;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ContentDigest;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.bundle.ManifestSigner;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.testcluster.TestCluster;

/**
 * The stack's HPCS server as a data owner and an admin use it: logs users in to OpenBao, deposits a
 * bundle key, registers the bundle with the test owner's signing key, grants it and reads the audit
 * log.
 */
final class HpcsServerAccess {
  static final String OWNER = "owner";
  private static final ObjectMapper JSON = Json.lenient();

  private final TestCluster cluster;
  private final HttpClient bao = HttpClient.newHttpClient();
  private final SSLContext serverTls;

  HpcsServerAccess(TestCluster cluster) throws IOException, GeneralSecurityException {
    this.cluster = cluster;
    this.serverTls = trusting(cluster.hpcsServerCa());
  }

  /**
   * A bundle registered by the test owner and granted to one user.
   *
   * @param bundleId the bundle identifier
   * @param manifestSha256 the digest a job manifest names
   */
  record GrantedBundle(String bundleId, String manifestSha256) {
    /** Returns the job manifest text that names this bundle. */
    String jobManifest() {
      return "{\"bundles\": [{\"bundleId\": \""
          + bundleId
          + "\", \"manifestSha256\": \""
          + manifestSha256
          + "\"}]}\n";
    }
  }

  /**
   * Deposits a fresh bundle key in OpenBao, registers the bundle at the server and grants it to the
   * user.
   */
  GrantedBundle grantedBundle(String user) throws Exception {
    String bundleId = "it-agent-" + HexFormat.of().formatHex(SecureRandom.getSeed(6));
    String ownerToken = login(OWNER);
    AgeIdentity key = AgeIdentity.generate();
    bao(
        "POST",
        cluster.baoKvMount() + "/data/owners/" + OWNER + "/bundles/" + bundleId,
        ownerToken,
        Map.of("data", Map.of("identity", key.secretText())));
    HpcsApiClient owner = client(ownerToken);
    BundleInfo bundle = owner.registerBundle(registration(bundleId, key));
    owner.grant(new GrantRequest(bundleId, user, null, null, null));
    return new GrantedBundle(bundleId, bundle.manifestSha256());
  }

  /** Returns the audit records of a job made at or after {@code since}, as an admin reads them. */
  List<AuditEntry> audit(long jobId, Instant since) throws Exception {
    return client(login(cluster.baoAdminUser()))
        .audit(null, Long.toString(jobId))
        .entries()
        .stream()
        .filter(e -> !e.at().isBefore(since))
        .toList();
  }

  /** Returns the server's client for a Vault token. */
  HpcsApiClient client(String vaultToken) {
    return new HpcsApiClient(cluster.hpcsServerUrl(), serverTls, () -> vaultToken);
  }

  /** Logs a userpass user in to OpenBao and returns the client token. */
  String login(String user) throws IOException, InterruptedException {
    JsonNode reply =
        bao(
            "POST",
            "auth/" + cluster.baoUserpassMount() + "/login/" + user,
            null,
            Map.of("password", cluster.userPassword(user)));
    return reply.path("auth").path("client_token").asText();
  }

  /** Returns the bytes of a container bundle manifest signed with the test owner's key. */
  private byte[] registration(String bundleId, AgeIdentity key)
      throws IOException, GeneralSecurityException {
    BundleManifest unsigned =
        BundleManifest.unsigned(
            bundleId,
            BundleKind.CONTAINER,
            OWNER,
            "it-agent",
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
            new ContentDigest("a".repeat(64), 1),
            new ContentDigest("b".repeat(64), 1),
            cluster.baoKvMount(),
            key.recipient().value());
    PublicKey publicKey =
        KeyFactory.getInstance("Ed25519")
            .generatePublic(
                new X509EncodedKeySpec(pem(cluster.ownerSigningPublicKey(), "PUBLIC KEY")));
    return ManifestCodec.toJson(ManifestSigner.sign(unsigned, new KeyPair(publicKey, ownerKey())));
  }

  private PrivateKey ownerKey() throws IOException, GeneralSecurityException {
    return KeyFactory.getInstance("Ed25519")
        .generatePrivate(new PKCS8EncodedKeySpec(pem(cluster.ownerSigningKey(), "PRIVATE KEY")));
  }

  private static byte[] pem(Path file, String label) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN " + label + "-----");
    int end = text.indexOf("-----END " + label + "-----");
    if (begin < 0 || end < begin) {
      throw new IOException(file + " holds no PEM block " + label);
    }
    return Base64.getMimeDecoder().decode(text.substring(begin + label.length() + 16, end));
  }

  private JsonNode bao(String method, String path, String token, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(cluster.baoAddr().resolve("/v1/" + path))
            .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    if (token != null) {
      request.header("X-Vault-Token", token);
    }
    HttpResponse<byte[]> response =
        bao.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          method + " " + path + " returned HTTP " + response.statusCode() + " from OpenBao");
    }
    return response.body().length == 0 ? JSON.missingNode() : JSON.readTree(response.body());
  }

  private static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int index = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + index++, cert);
      }
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }
}
