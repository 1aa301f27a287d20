package org.hpcs.agent.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Optional;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.agent.config.AgentConfig;
import org.hpcs.agent.enrol.JoinToken;
import org.hpcs.attest.Evidence;
import org.hpcs.common.api.ChallengeRequest;
import org.hpcs.common.api.ChallengeResponse;
import org.hpcs.common.api.EnrolRequest;
import org.hpcs.common.api.EnrolResponse;
import org.hpcs.common.api.EvidenceBody;

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

  /** Asks for a challenge: {@code POST /v1/nodes/challenge}. */
  public ChallengeResponse challenge(String node, String attestor) throws ServerException {
    ChallengeResponse reply =
        http.post(
            "/v1/nodes/challenge", new ChallengeRequest(node, attestor), ChallengeResponse.class);
    require(reply.challengeId(), "challengeId");
    require(reply.nonce(), "nonce");
    return reply;
  }

  /**
   * The server's response to one round of evidence: the SPIRE join token, or the follow-up
   * challenge of a multi-round attestor.
   *
   * @param token the join token once the node is enrolled
   * @param followUp the next challenge to respond to
   */
  public record EnrolStep(Optional<JoinToken> token, Optional<ChallengeResponse> followUp) {}

  /**
   * Sends the evidence: {@code POST /v1/nodes/enrol}; returns the SPIRE join token or the next
   * challenge.
   */
  public EnrolStep enrol(String challengeId, String node, Evidence evidence)
      throws ServerException {
    EnrolResponse reply =
        http.post(
            "/v1/nodes/enrol",
            new EnrolRequest(
                challengeId, node, new EvidenceBody(evidence.attestor(), evidence.fields())),
            EnrolResponse.class);
    if (reply.followUp() != null) {
      require(reply.followUp().challengeId(), "followUp.challengeId");
      require(reply.followUp().nonce(), "followUp.nonce");
      return new EnrolStep(Optional.empty(), Optional.of(reply.followUp()));
    }
    require(reply.spireAgentJoinToken(), "spireAgentJoinToken");
    require(reply.nodeSpiffeId(), "nodeSpiffeId");
    return new EnrolStep(
        Optional.of(new JoinToken(reply.spireAgentJoinToken(), reply.nodeSpiffeId())),
        Optional.empty());
  }

  private static void require(String value, String field) throws ServerException {
    if (value == null || value.isEmpty()) {
      throw new ServerException("the server's enrolment reply has no '" + field + "'");
    }
  }
}
