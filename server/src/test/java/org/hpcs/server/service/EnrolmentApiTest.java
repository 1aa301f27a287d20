package org.hpcs.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.hpcs.attest.jointoken.JoinTokens;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.testing.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnrolmentApiTest {
  @TempDir static Path temp;

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(temp, TestPki.create(temp));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String reasons() throws Exception {
    return server
        .user("GET", "/v1/audit", TestServer.ADMIN, null)
        .json()
        .path("entries")
        .findValuesAsText("reason")
        .toString();
  }

  @Test
  void enrol_freshToken_returnsIdentitiesAndCreatesEntry() throws Exception {
    Reply reply = server.enrol("n1", server.joinToken("n1"));

    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(reply.json().path("nodeSpiffeId").asText())
        .isEqualTo("spiffe://hpcs.test/hpcs/node/n1");
    assertThat(reply.json().path("spireAgentSpiffeId").asText())
        .isEqualTo("spiffe://hpcs.test/hpcs/spire-agent/n1");
    assertThat(reply.json().path("spireAgentJoinToken").asText()).isNotBlank();
    assertThat(server.spire().nodeEntries()).contains("n1");
  }

  @Test
  void enrol_tokenReplayed_deniedAndAudited() throws Exception {
    String token = server.joinToken("n2");
    assertThat(server.enrol("n2", token).status()).isEqualTo(200);

    Reply replay = server.enrol("n2", token);

    assertThat(replay.status()).isEqualTo(403);
    assertThat(replay.error()).isEqualTo("token-replayed");
    assertThat(replay.text()).doesNotContain(token);
    assertThat(reasons()).contains("token-replayed");
  }

  @Test
  void enrol_unknownToken_deniedAndAudited() throws Exception {
    Reply reply = server.enrol("n2", JoinTokens.generate());

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("token-unknown");
    assertThat(reasons()).contains("token-unknown");
  }

  @Test
  void enrol_tokenOfOtherNode_denied() throws Exception {
    Reply reply = server.enrol("n2", server.joinToken("n3"));

    assertThat(reply.error()).isEqualTo("token-node-mismatch");
  }

  @Test
  void enrol_challengeUsedTwice_secondDenied() throws Exception {
    String token = server.joinToken("n3");
    Reply challenge =
        server.user(
            "POST", "/v1/nodes/challenge", null, Map.of("node", "n3", "attestor", "join-token"));
    Map<String, Object> body = enrolBody(challenge, "n3", token);
    assertThat(server.user("POST", "/v1/nodes/enrol", null, body).status()).isEqualTo(200);

    Reply again = server.user("POST", "/v1/nodes/enrol", null, body);

    assertThat(again.status()).isEqualTo(403);
    assertThat(again.error()).isEqualTo("challenge-replayed");
  }

  @Test
  void enrol_unknownChallenge_deniedAsInvalid() throws Exception {
    Reply reply =
        server.user(
            "POST",
            "/v1/nodes/enrol",
            null,
            Map.of(
                "challengeId", "00000000-0000-0000-0000-000000000000",
                "node", "n3",
                "evidence", Map.of("attestor", "join-token", "fields", Map.of())));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("challenge-invalid");
  }

  @Test
  void enrol_challengeExpired_denied() throws Exception {
    String token = server.joinToken("n3");
    Reply challenge =
        server.user(
            "POST", "/v1/nodes/challenge", null, Map.of("node", "n3", "attestor", "join-token"));
    server.clock().advance(Duration.ofMinutes(3));

    Reply reply = server.user("POST", "/v1/nodes/enrol", null, enrolBody(challenge, "n3", token));

    assertThat(reply.error()).isEqualTo("challenge-expired");
  }

  @Test
  void enrol_challengeOfOtherNode_denied() throws Exception {
    String token = server.joinToken("n3");
    Reply challenge =
        server.user(
            "POST", "/v1/nodes/challenge", null, Map.of("node", "n1", "attestor", "join-token"));

    Reply reply = server.user("POST", "/v1/nodes/enrol", null, enrolBody(challenge, "n3", token));

    assertThat(reply.error()).isEqualTo("challenge-node-mismatch");
  }

  @Test
  void enrol_evidenceOfOtherAttestor_denied() throws Exception {
    String token = server.joinToken("n3");
    Reply challenge =
        server.user(
            "POST", "/v1/nodes/challenge", null, Map.of("node", "n3", "attestor", "join-token"));
    Map<String, Object> body =
        Map.of(
            "challengeId", challenge.json().path("challengeId").asText(),
            "node", "n3",
            "evidence", Map.of("attestor", "tpm-devid", "fields", Map.of("token", token)));

    Reply reply = server.user("POST", "/v1/nodes/enrol", null, body);

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("attestor-mismatch");
  }

  @Test
  void challenge_unknownAttestor_400() throws Exception {
    Reply reply =
        server.user(
            "POST", "/v1/nodes/challenge", null, Map.of("node", "n1", "attestor", "tpm-devid"));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("unknown-attestor");
  }

  @Test
  void enrol_spireDown_503AndTokenSpent() throws Exception {
    String token = server.joinToken("n2");
    server.spire().failing(true);
    Reply reply;
    try {
      reply = server.enrol("n2", token);
    } finally {
      server.spire().failing(false);
    }

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.error()).isEqualTo("spire-unavailable");
  }

  @Test
  void revoke_node_deniesItsCallsAndEnrolmentUntilReinstated() throws Exception {
    server.enrol("n1");
    assertThat(server.node("n1", "/v1/nodes/reenrol", Map.of()).status()).isEqualTo(200);

    Reply revoke = server.user("DELETE", "/v1/admin/nodes/n1", TestServer.ADMIN, null);

    assertThat(revoke.status()).as(revoke.text()).isEqualTo(200);
    assertThat(server.spire().revoked()).contains("n1");
    assertThat(server.node("n1", "/v1/nodes/reenrol", Map.of()).error()).isEqualTo("node-revoked");
    assertThat(server.enrol("n1", server.joinToken("n1")).error()).isEqualTo("node-revoked");
    assertThat(
            server
                .user("POST", "/v1/admin/nodes/n1/reinstate", TestServer.ADMIN, Map.of())
                .status())
        .isEqualTo(200);
    assertThat(server.node("n1", "/v1/nodes/reenrol", Map.of()).error()).isEqualTo("node-revoked");
    server.enrol("n1");
    assertThat(server.node("n1", "/v1/nodes/reenrol", Map.of()).status()).isEqualTo(200);
  }

  @Test
  void joinToken_ttlOverMaximum_400() throws Exception {
    Reply reply =
        server.user(
            "POST",
            "/v1/admin/join-tokens",
            TestServer.ADMIN,
            Map.of("node", "n1", "ttlSeconds", 10_000_000));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("message").asText()).contains("ttlSeconds");
  }

  private static Map<String, Object> enrolBody(Reply challenge, String node, String token) {
    byte[] nonce = Base64.getDecoder().decode(challenge.json().path("nonce").asText());
    String proof = Base64.getEncoder().encodeToString(JoinTokens.proof(token, nonce, node));
    return Map.of(
        "challengeId", challenge.json().path("challengeId").asText(),
        "node", node,
        "evidence",
            Map.of("attestor", "join-token", "fields", Map.of("token", token, "proof", proof)));
  }
}
