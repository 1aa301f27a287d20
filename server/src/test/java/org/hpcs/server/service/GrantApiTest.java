package org.hpcs.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.hpcs.server.testing.TestManifests;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.testing.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrantApiTest {
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

  private static String id(String label) {
    return TestManifests.bundleId(label);
  }

  @Test
  void grant_listRevoke_byOwner() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-1");

    Reply grant =
        server.user(
            "POST",
            "/v1/grants",
            TestServer.OWNER,
            Map.of(
                "bundleId", id("gr-1"), "user", "alice", "partitions", java.util.List.of("debug")));
    String grantId = grant.json().path("grantId").asText();
    Reply list = server.user("GET", "/v1/grants?bundle=" + id("gr-1"), TestServer.OWNER, null);
    Reply revoke = server.user("DELETE", "/v1/grants/" + grantId, TestServer.OWNER, null);

    assertThat(grant.status()).as(grant.text()).isEqualTo(201);
    assertThat(list.json().path("grants").findValuesAsText("grantId")).containsExactly(grantId);
    assertThat(revoke.status()).isEqualTo(200);
    assertThat(revoke.json().path("revokedAt").isNull()).isFalse();
  }

  @Test
  void grant_bundleOfOtherOwner_403AndAudited() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-2");

    Reply reply =
        server.user(
            "POST",
            "/v1/grants",
            TestServer.ALICE,
            Map.of("bundleId", id("gr-2"), "user", "alice"));
    Reply audit = server.user("GET", "/v1/audit?bundle=" + id("gr-2"), TestServer.OWNER, null);

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("not-bundle-owner");
    assertThat(audit.json().path("entries").findValuesAsText("reason"))
        .contains("not-bundle-owner");
  }

  @Test
  void grant_unknownBundle_404() throws Exception {
    Reply reply =
        server.user(
            "POST", "/v1/grants", TestServer.OWNER, Map.of("bundleId", "nope", "user", "alice"));

    assertThat(reply.status()).isEqualTo(404);
  }

  @Test
  void grant_revokedBundle_409() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-3");
    server.user("DELETE", "/v1/bundles/" + id("gr-3"), TestServer.OWNER, null);

    Reply reply =
        server.user(
            "POST",
            "/v1/grants",
            TestServer.OWNER,
            Map.of("bundleId", id("gr-3"), "user", "alice"));

    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.error()).isEqualTo("bundle-revoked");
  }

  @Test
  void grant_expiryInPast_400() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-4");

    Reply reply =
        server.user(
            "POST",
            "/v1/grants",
            TestServer.OWNER,
            Map.of("bundleId", id("gr-4"), "user", "alice", "expiresAt", Instant.EPOCH.toString()));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("message").asText()).contains("expiresAt");
  }

  @Test
  void grant_userWithSlash_400() throws Exception {
    Reply reply =
        server.user(
            "POST",
            "/v1/grants",
            TestServer.OWNER,
            Map.of("bundleId", id("gr-1"), "user", "../root"));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.error()).isEqualTo("invalid-field");
  }

  @Test
  void list_roleGrantee_showsReceivedGrantsOnly() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-8");
    server.user(
        "POST", "/v1/grants", TestServer.OWNER, Map.of("bundleId", id("gr-8"), "user", "bob"));

    Reply received = server.user("GET", "/v1/grants?role=grantee", TestServer.BOB, null);
    Reply given = server.user("GET", "/v1/grants", TestServer.BOB, null);
    Reply invalid = server.user("GET", "/v1/grants?role=admin", TestServer.BOB, null);

    assertThat(received.json().path("grants").findValuesAsText("bundleId")).contains(id("gr-8"));
    assertThat(received.json().path("grants").findValuesAsText("user")).containsOnly("bob");
    assertThat(given.json().path("grants").size()).isZero();
    assertThat(invalid.status()).isEqualTo(400);
  }

  @Test
  void revoke_unknownGrant_404() throws Exception {
    Reply reply = server.user("DELETE", "/v1/grants/g-does-not-exist", TestServer.OWNER, null);

    assertThat(reply.status()).isEqualTo(404);
    assertThat(reply.error()).isEqualTo("grant-unknown");
  }

  @Test
  void revokeBundle_otherOwner_403() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-7");

    Reply reply = server.user("DELETE", "/v1/bundles/" + id("gr-7"), TestServer.ALICE, null);

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("not-bundle-owner");
  }

  @Test
  void revoke_grantOfOtherOwner_403() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-5");
    String grantId =
        server
            .user(
                "POST",
                "/v1/grants",
                TestServer.OWNER,
                Map.of("bundleId", id("gr-5"), "user", "bob"))
            .json()
            .path("grantId")
            .asText();

    Reply reply = server.user("DELETE", "/v1/grants/" + grantId, TestServer.BOB, null);

    assertThat(reply.status()).isEqualTo(403);
  }

  @Test
  void audit_otherOwnersBundle_403AndOwnTrailOnly() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "gr-6");
    server.registerBundle(TestServer.ALICE, "alice", "alice-1");

    Reply foreign = server.user("GET", "/v1/audit?bundle=" + id("gr-6"), TestServer.ALICE, null);
    Reply own = server.user("GET", "/v1/audit", TestServer.ALICE, null);

    assertThat(foreign.status()).isEqualTo(403);
    assertThat(own.json().path("entries").findValuesAsText("bundleId")).containsOnly(id("alice-1"));
  }
}
