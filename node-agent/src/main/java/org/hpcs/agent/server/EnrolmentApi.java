package org.hpcs.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Map;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.agent.config.AgentConfig;
import org.hpcs.agent.enrol.JoinToken;
import org.hpcs.attest.Evidence;

/**
 * The enrolment endpoints, called before the node has an SVID: TLS is checked against the
 * configured CA file and the server's host name, and the client sends no certificate.
 */
public final class EnrolmentApi {
  private final JsonHttp http;

  private EnrolmentApi(JsonHttp http) {
    this.http = http;
  }

  /**
   * Creates the client for the configured server.
   *
   * @throws ServerException when the CA file cannot be read
   */
  public static EnrolmentApi create(AgentConfig.Server server) throws ServerException {
    Path caFile =
        server.caFile().orElseThrow(() -> new ServerException("server.ca-file is not set"));
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(null, trustManagers(caFile).getTrustManagers(), null);
      return new EnrolmentApi(
          new JsonHttp(
              server.url(),
              tls.getSocketFactory(),
              HttpsURLConnection.getDefaultHostnameVerifier(),
              server.timeout()));
    } catch (GeneralSecurityException | IOException e) {
      throw new ServerException(
          "cannot use CA file " + caFile + " for the server's TLS: " + e.getMessage(), e);
    }
  }

  private static TrustManagerFactory trustManagers(Path caFile)
      throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(caFile)) {
      int index = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + index++, cert);
      }
      if (index == 0) {
        throw new IOException("no certificate in " + caFile);
      }
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory;
  }

  /**
   * A challenge from the server.
   *
   * @param challengeId the id to quote when enrolling
   * @param nonce the base64 nonce
   */
  public record ChallengeReply(String challengeId, String nonce) {}

  /** Asks for a challenge: {@code POST /v1/nodes/challenge}. */
  public ChallengeReply challenge(String node, String attestor) throws ServerException {
    JsonNode reply = http.post("/v1/nodes/challenge", Map.of("node", node, "attestor", attestor));
    return new ChallengeReply(text(reply, "challengeId"), text(reply, "nonce"));
  }

  /** Sends the evidence: {@code POST /v1/nodes/enrol}; returns the SPIRE join token. */
  public JoinToken enrol(String challengeId, String node, Evidence evidence)
      throws ServerException {
    JsonNode reply =
        http.post(
            "/v1/nodes/enrol",
            Map.of(
                "challengeId", challengeId,
                "node", node,
                "evidence", Map.of("attestor", evidence.attestor(), "fields", evidence.fields())));
    return new JoinToken(text(reply, "spireAgentJoinToken"), text(reply, "nodeSpiffeId"));
  }

  private static String text(JsonNode reply, String field) throws ServerException {
    String value = reply.path(field).asText("");
    if (value.isEmpty()) {
      throw new ServerException("the server's enrolment reply has no '" + field + "'");
    }
    return value;
  }
}
