package org.hpcs.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.testing.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every malformed or unauthenticated request gets a 4xx JSON error, never a 500. */
class HttpErrorTest {
  @TempDir static Path temp;

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(temp, TestPki.create(temp));
    server.enrol("n1");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void assertCleanError(Reply reply, int status, String code) {
    assertThat(reply.status()).as(reply.text()).isEqualTo(status);
    assertThat(reply.error()).isEqualTo(code);
    assertThat(reply.json().path("message").asText()).isNotBlank();
    assertThat(reply.json().size()).isEqualTo(2);
    assertThat(reply.text()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void post_malformedJson_400() throws Exception {
    Reply reply =
        server.call(
            "POST", "/v1/grants", null, TestServer.OWNER, "application/json", "{\"bundleId\":");

    assertCleanError(reply, 400, "malformed-json");
  }

  @Test
  void post_bodyOverLimit_413() throws Exception {
    String body = "{\"bundleId\":\"" + "x".repeat(70_000) + "\"}";

    Reply reply =
        server.callOnNewConnection(
            "POST", "/v1/grants", TestServer.OWNER, "application/json", body);

    assertCleanError(reply, 413, "body-too-large");
    assertThat(reply.json().path("message").asText()).contains("65536");
  }

  @Test
  void post_unknownField_400NamingField() throws Exception {
    Reply reply =
        server.user(
            "POST",
            "/v1/grants",
            TestServer.OWNER,
            Map.of("bundleId", "b", "user", "alice", "color", "red"));

    assertCleanError(reply, 400, "unknown-field");
    assertThat(reply.json().path("message").asText()).contains("'color'").contains("bundleId");
  }

  @Test
  void post_wrongContentType_415() throws Exception {
    Reply reply =
        server.call(
            "POST", "/v1/grants", null, TestServer.OWNER, "text/plain", "{\"bundleId\":\"b\"}");

    assertCleanError(reply, 415, "unsupported-media-type");
  }

  @Test
  void post_fieldOfWrongType_400NamingField() throws Exception {
    Reply reply =
        server.user(
            "POST",
            "/v1/admin/join-tokens",
            TestServer.ADMIN,
            Map.of("node", "n1", "ttlSeconds", "soon"));

    assertCleanError(reply, 400, "invalid-field");
    assertThat(reply.json().path("message").asText()).contains("ttlSeconds");
  }

  @Test
  void post_emptyBody_400() throws Exception {
    Reply reply = server.call("POST", "/v1/grants", null, TestServer.OWNER, "application/json", "");

    assertCleanError(reply, 400, "empty-body");
  }

  @Test
  void post_jsonArrayInsteadOfObject_400() throws Exception {
    Reply reply =
        server.call("POST", "/v1/grants", null, TestServer.OWNER, "application/json", "[1,2]");

    assertCleanError(reply, 400, "invalid-field");
  }

  @Test
  void post_duplicateKey_400() throws Exception {
    Reply reply =
        server.call(
            "POST",
            "/v1/nodes/challenge",
            null,
            null,
            "application/json",
            "{\"node\":\"n1\",\"node\":\"n2\",\"attestor\":\"join-token\"}");

    assertThat(reply.status()).isEqualTo(400);
  }

  @Test
  void nodeRoute_withoutClientCertificate_401() throws Exception {
    Reply reply = server.node(null, "/v1/jobs/1/end", Map.of("node", "n1"));

    assertCleanError(reply, 401, "client-certificate-required");
  }

  @Test
  void nodeRoute_certificateFromForeignCa_403() throws Exception {
    Reply reply = server.node("foreign-n1", "/v1/jobs/1/end", Map.of("node", "n1"));

    assertCleanError(reply, 403, "client-certificate-untrusted");
  }

  @Test
  void nodeRoute_workloadSvidNotNode_403() throws Exception {
    Reply reply = server.node("workload", "/v1/jobs/1/end", Map.of("node", "n1"));

    assertCleanError(reply, 403, "not-a-node-identity");
    assertThat(reply.json().path("message").asText()).contains("spiffe://hpcs.test/some/workload");
  }

  @Test
  void nodeRoute_svidOfUnenrolledNode_403() throws Exception {
    Reply reply = server.node("n3", "/v1/jobs/1/end", Map.of("node", "n3"));

    assertCleanError(reply, 403, "node-not-enrolled");
  }

  @Test
  void userRoute_withoutToken_401() throws Exception {
    Reply reply = server.user("GET", "/v1/grants", null, null);

    assertCleanError(reply, 401, "token-required");
  }

  @Test
  void userRoute_tokenVaultRejects_401() throws Exception {
    Reply reply = server.user("GET", "/v1/grants", "hvs.not-a-real-token", null);

    assertCleanError(reply, 401, "token-rejected");
  }

  @Test
  void userRoute_childTokenWithForgedUsername_401() throws Exception {
    server.vault().addTokenAt("hvs.child-token-0001", "auth/token/create", "owner", "default");

    Reply reply = server.user("GET", "/v1/grants", "hvs.child-token-0001", null);

    assertCleanError(reply, 401, "token-not-from-login");
    assertThat(reply.json().path("message").asText()).contains("auth/token/create");
  }

  @Test
  void userRoute_tokenWithIllegalCharacters_401() throws Exception {
    Reply reply = server.user("GET", "/v1/grants", "bad token\"", null);

    assertCleanError(reply, 401, "token-malformed");
  }

  @Test
  void adminRoute_ordinaryUser_403() throws Exception {
    Reply reply =
        server.user(
            "POST",
            "/v1/admin/join-tokens",
            TestServer.ALICE,
            Map.of("node", "n1", "ttlSeconds", 60));

    assertCleanError(reply, 403, "admin-required");
  }

  @Test
  void unknownPath_404AndWrongMethod_405() throws Exception {
    assertCleanError(server.user("GET", "/v1/nothing", null, null), 404, "no-such-endpoint");
    assertCleanError(
        server.user("PUT", "/v1/grants", TestServer.OWNER, Map.of()), 405, "method-not-allowed");
  }

  @Test
  void denials_writtenToAuditLog() throws Exception {
    server.node("foreign-n1", "/v1/jobs/77/end", Map.of("node", "n1"));

    Reply audit = server.user("GET", "/v1/audit", TestServer.ADMIN, null);

    assertThat(audit.status()).isEqualTo(200);
    assertThat(audit.json().path("entries").findValuesAsText("reason"))
        .contains("client-certificate-untrusted");
  }

  @Test
  void healthzAndMetrics_served() throws Exception {
    server.user("GET", "/v1/grants", TestServer.OWNER, null);

    Reply health = server.user("GET", "/healthz", null, null);
    Reply metrics = server.user("GET", "/metrics", null, null);

    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().path("status").asText()).isEqualTo("ok");
    assertThat(metrics.text())
        .contains("hpcs_http_requests_total{route=\"/v1/grants\",method=\"GET\",status=\"200\"}")
        .contains(
            "hpcs_http_request_duration_seconds{route=\"/v1/grants\",method=\"GET\",quantile=\"0.99\"}")
        .contains("hpcs_jobs_active ")
        .contains("hpcs_grants_live ");
  }
}
