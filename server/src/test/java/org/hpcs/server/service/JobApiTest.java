package org.hpcs.server.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.hpcs.server.testing.TestManifests;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.hpcs.server.testing.TestServer.Reply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobApiTest {
  @TempDir static Path temp;

  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(temp, TestPki.create(temp));
    server.enrol("n1");
    server.enrol("n2");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String id(String label) {
    return TestManifests.bundleId(label);
  }

  /**
   * Registers the bundle that tests call {@code label}, grants it to alice with the given extra
   * grant fields, and returns its manifest digest.
   */
  private static String bundleGrantedToAlice(String label, Map<String, Object> limits)
      throws Exception {
    Reply bundle = server.registerBundle(TestServer.OWNER, "owner", label);
    assertThat(bundle.status()).as(bundle.text()).isEqualTo(201);
    Map<String, Object> grant = new HashMap<>(limits);
    grant.put("bundleId", id(label));
    grant.put("user", "alice");
    Reply reply = server.user("POST", "/v1/grants", TestServer.OWNER, grant);
    assertThat(reply.status()).as(reply.text()).isEqualTo(201);
    return bundle.json().path("manifestSha256").asText();
  }

  private static Map<String, Object> start(
      String user, List<String> nodes, String bundleId, String digest) {
    return Map.of(
        "user",
        user,
        "nodes",
        nodes,
        "partition",
        "debug",
        "timeLimitSeconds",
        600,
        "bundles",
        List.of(Map.of("bundleId", bundleId, "manifestSha256", digest)));
  }

  private static Reply startJob(String leaf, String jobId, Map<String, Object> body)
      throws Exception {
    return server.node(leaf, "/v1/jobs/" + jobId + "/start", body);
  }

  private static List<String> auditReasons(String token, String query) throws Exception {
    return server
        .user("GET", "/v1/audit" + query, token, null)
        .json()
        .path("entries")
        .findValuesAsText("reason");
  }

  @Test
  void start_grantedUser_createsScopedPolicyAndRole() throws Exception {
    String digest = bundleGrantedToAlice("job-b1", Map.of());

    Reply reply = startJob("n1", "101", start("alice", List.of("n1", "n2"), id("job-b1"), digest));

    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(reply.json().path("vaultRole").asText()).isEqualTo("hpcs-job-101");
    assertThat(reply.json().path("jwtAudience").asText()).isEqualTo("hpcs-vault");
    assertThat(reply.json().path("keys").get(0).path("httpPath").asText())
        .isEqualTo("kv-hpcs/data/owners/owner/bundles/" + id("job-b1"));
    assertThat(reply.json().path("ownerRecipients").get(0).asText())
        .isEqualTo(TestManifests.OUTPUT_RECIPIENT);
    String policy = server.vault().policies().get("hpcs-job-101");
    assertThat(policy)
        .contains("path \"kv-hpcs/data/owners/owner/bundles/" + id("job-b1") + "\"")
        .contains("capabilities = [\"read\"]")
        .doesNotContain("*");
    JsonNode role = server.vault().roles().get("hpcs-job-101");
    assertThat(role.path("role_type").asText()).isEqualTo("jwt");
    assertThat(role.path("user_claim").asText()).isEqualTo("sub");
    assertThat(role.path("bound_audiences").toString()).isEqualTo("[\"hpcs-vault\"]");
    assertThat(role.path("bound_claims").path("sub").toString())
        .isEqualTo("[\"spiffe://hpcs.test/hpcs/node/n1\",\"spiffe://hpcs.test/hpcs/node/n2\"]");
    assertThat(role.path("token_policies").toString()).isEqualTo("[\"hpcs-job-101\"]");
    assertThat(role.path("token_no_default_policy").asBoolean()).isTrue();
    assertThat(role.path("token_ttl").asLong()).isBetween(1L, 600L);
    assertThat(role.path("token_num_uses").asInt()).isEqualTo(3);
    assertThat(auditReasons(TestServer.OWNER, "?job=101")).isNotEmpty();
  }

  @Test
  void end_lastOfTwoNodes_deletesRoleAndPolicyOnce() throws Exception {
    String digest = bundleGrantedToAlice("job-b2", Map.of());
    Map<String, Object> body = start("alice", List.of("n1", "n2"), id("job-b2"), digest);
    assertThat(startJob("n1", "102", body).status()).isEqualTo(200);
    assertThat(startJob("n2", "102", body).status()).isEqualTo(200);
    assertThat(startJob("n2", "102", body).status()).isEqualTo(200);

    Reply first = server.node("n1", "/v1/jobs/102/end", Map.of("node", "n1"));
    boolean roleAfterFirst = server.vault().roles().containsKey("hpcs-job-102");
    Reply last = server.node("n2", "/v1/jobs/102/end", Map.of("node", "n2"));

    assertThat(first.json().path("remainingNodes").toString()).isEqualTo("[\"n2\"]");
    assertThat(roleAfterFirst).isTrue();
    assertThat(last.json().path("released").asBoolean()).isTrue();
    assertThat(server.vault().roles()).doesNotContainKey("hpcs-job-102");
    assertThat(server.vault().policies()).doesNotContainKey("hpcs-job-102");
  }

  @Test
  void start_userWithoutGrant_deniedWithReasonVisibleToOwner() throws Exception {
    String digest = bundleGrantedToAlice("job-b3", Map.of());

    Reply reply = startJob("n1", "103", start("bob", List.of("n1"), id("job-b3"), digest));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.error()).isEqualTo("grant-missing");
    assertThat(reply.json().path("message").asText()).contains("bob").contains(id("job-b3"));
    assertThat(server.vault().roles()).doesNotContainKey("hpcs-job-103");
    assertThat(auditReasons(TestServer.OWNER, "?bundle=" + id("job-b3"))).contains("grant-missing");
  }

  @Test
  void start_callerNotInNodeList_denied() throws Exception {
    String digest = bundleGrantedToAlice("job-b4", Map.of());

    Reply reply = startJob("n2", "104", start("alice", List.of("n1"), id("job-b4"), digest));

    assertThat(reply.error()).isEqualTo("node-not-in-job");
  }

  @Test
  void start_manifestDigestDiffers_denied() throws Exception {
    bundleGrantedToAlice("job-b5", Map.of());

    Reply reply =
        startJob("n1", "105", start("alice", List.of("n1"), id("job-b5"), "0".repeat(64)));

    assertThat(reply.error()).isEqualTo("manifest-mismatch");
  }

  @Test
  void start_unknownBundle_denied() throws Exception {
    Reply reply = startJob("n1", "106", start("alice", List.of("n1"), "nothing", "0".repeat(64)));

    assertThat(reply.error()).isEqualTo("bundle-unknown");
  }

  @Test
  void start_revokedBundle_denied() throws Exception {
    String digest = bundleGrantedToAlice("job-b7", Map.of());
    server.user("DELETE", "/v1/bundles/" + id("job-b7"), TestServer.OWNER, null);

    Reply reply = startJob("n1", "107", start("alice", List.of("n1"), id("job-b7"), digest));

    assertThat(reply.error()).isEqualTo("bundle-revoked");
  }

  @Test
  void start_revokedGrant_denied() throws Exception {
    String digest = bundleGrantedToAlice("job-b8", Map.of());
    String grantId =
        server
            .user("GET", "/v1/grants?bundle=" + id("job-b8"), TestServer.OWNER, null)
            .json()
            .path("grants")
            .get(0)
            .path("grantId")
            .asText();
    server.user("DELETE", "/v1/grants/" + grantId, TestServer.OWNER, null);

    Reply reply = startJob("n1", "108", start("alice", List.of("n1"), id("job-b8"), digest));

    assertThat(reply.error()).isEqualTo("grant-revoked");
  }

  @Test
  void start_grantExpired_denied() throws Exception {
    Instant soon = server.clock().instant().plusSeconds(30);
    String digest = bundleGrantedToAlice("job-b9", Map.of("expiresAt", soon.toString()));
    server.clock().advance(Duration.ofSeconds(31));

    Reply reply = startJob("n1", "109", start("alice", List.of("n1"), id("job-b9"), digest));

    assertThat(reply.error()).isEqualTo("grant-expired");
  }

  @Test
  void start_partitionOrNodeOutsideGrant_denied() throws Exception {
    String digest =
        bundleGrantedToAlice(
            "job-b10", Map.of("partitions", List.of("gpu"), "nodes", List.of("n1")));
    String nodeOnly = bundleGrantedToAlice("job-b11", Map.of("nodes", List.of("n1")));

    Reply partition = startJob("n1", "110", start("alice", List.of("n1"), id("job-b10"), digest));
    Reply node =
        startJob("n1", "111", start("alice", List.of("n1", "n2"), id("job-b11"), nodeOnly));

    assertThat(partition.error()).isEqualTo("grant-partition-not-allowed");
    assertThat(node.error()).isEqualTo("grant-node-not-allowed");
  }

  @Test
  void start_sameJobWithOtherUser_conflict() throws Exception {
    String digest = bundleGrantedToAlice("job-b12", Map.of());
    assertThat(
            startJob("n1", "112", start("alice", List.of("n1", "n2"), id("job-b12"), digest))
                .status())
        .isEqualTo(200);

    Reply reply = startJob("n2", "112", start("bob", List.of("n1", "n2"), id("job-b12"), digest));

    assertThat(reply.status()).isEqualTo(409);
    assertThat(reply.error()).isEqualTo("job-mismatch");
  }

  @Test
  void start_vaultFailing_503AndNothingLeftRunning() throws Exception {
    String digest = bundleGrantedToAlice("job-b13", Map.of());
    server.vault().failing(true);
    Reply reply;
    try {
      reply = startJob("n1", "113", start("alice", List.of("n1"), id("job-b13"), digest));
    } finally {
      server.vault().failing(false);
    }
    Reply end = server.node("n1", "/v1/jobs/113/end", Map.of("node", "n1"));

    assertThat(reply.status()).isEqualTo(503);
    assertThat(reply.error()).isEqualTo("vault-unavailable");
    assertThat(end.json().path("remainingNodes").size()).isZero();
  }

  @Test
  void sweeper_jobPastTimeLimit_roleRemovedAndLaterStartDenied() throws Exception {
    String digest = bundleGrantedToAlice("job-b14", Map.of());
    Map<String, Object> body = new HashMap<>(start("alice", List.of("n1"), id("job-b14"), digest));
    body.put("timeLimitSeconds", 60);
    assertThat(startJob("n1", "114", body).status()).isEqualTo(200);

    server.clock().advance(Duration.ofSeconds(61));
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (server.vault().roles().containsKey("hpcs-job-114") && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    Reply late = startJob("n1", "114", body);

    assertThat(server.vault().roles()).doesNotContainKey("hpcs-job-114");
    assertThat(late.error()).isEqualTo("job-expired");
  }

  @Test
  void start_invalidRequests_400() throws Exception {
    Map<String, Object> noNodes = new HashMap<>(start("alice", List.of(), "b", "0".repeat(64)));
    Map<String, Object> badDigest = start("alice", List.of("n1"), "b", "XYZ");
    List<Map<String, Object>> twice = new ArrayList<>();
    twice.add(Map.of("bundleId", "b", "manifestSha256", "0".repeat(64)));
    twice.add(Map.of("bundleId", "b", "manifestSha256", "0".repeat(64)));
    Map<String, Object> duplicate =
        new HashMap<>(start("alice", List.of("n1"), "b", "0".repeat(64)));
    duplicate.put("bundles", twice);

    assertThat(startJob("n1", "115", noNodes).status()).isEqualTo(400);
    assertThat(startJob("n1", "115", badDigest).json().path("message").asText())
        .contains("manifestSha256");
    assertThat(startJob("n1", "115", duplicate).status()).isEqualTo(400);
    assertThat(
            startJob("n1", "bad.id", start("alice", List.of("n1"), "b", "0".repeat(64))).status())
        .isEqualTo(400);
  }

  @Test
  void start_noSlurmTimeLimit_windowIsServerMaximum() throws Exception {
    String digest = bundleGrantedToAlice("job-b17", Map.of());
    Map<String, Object> body = new HashMap<>(start("alice", List.of("n1"), id("job-b17"), digest));
    body.put("timeLimitSeconds", 0);
    Map<String, Object> negative = new HashMap<>(body);
    negative.put("timeLimitSeconds", -1);

    Reply reply = startJob("n1", "117", body);

    assertThat(reply.status()).as(reply.text()).isEqualTo(200);
    assertThat(Instant.parse(reply.json().path("expiresAt").asText()))
        .isEqualTo(server.clock().instant().plus(Duration.ofDays(7)));
    Reply rejected = startJob("n1", "118", negative);
    assertThat(rejected.status()).isEqualTo(400);
    assertThat(rejected.json().path("message").asText()).contains("timeLimitSeconds", "-1");
  }

  @Test
  void events_unknownJobWithoutSlurmCheck_notFound() throws Exception {
    Reply event =
        server.node(
            "n1",
            "/v1/jobs/119/events",
            Map.of("node", "n1", "step", "job", "event", "job-start", "detail", ""));

    assertThat(event.status()).isEqualTo(404);
    assertThat(event.error()).isEqualTo("job-unknown");
    assertThat(event.json().path("message").asText()).contains("job 119", "node n1");
  }

  @Test
  void endAndEvents_reportForOtherNode_denied() throws Exception {
    Reply end = server.node("n1", "/v1/jobs/101/end", Map.of("node", "n2"));
    Reply event =
        server.node(
            "n1",
            "/v1/jobs/101/events",
            Map.of("node", "n2", "step", "0", "event", "mounted", "detail", ""));

    assertThat(end.error()).isEqualTo("node-mismatch");
    assertThat(event.error()).isEqualTo("node-mismatch");
  }

  @Test
  void end_vaultFailsOnDelete_503ThenAdminEndRemovesRole() throws Exception {
    String digest = bundleGrantedToAlice("job-b16", Map.of());
    assertThat(startJob("n1", "116", start("alice", List.of("n1"), id("job-b16"), digest)).status())
        .isEqualTo(200);
    server.vault().failing(true);
    Reply end;
    try {
      end = server.node("n1", "/v1/jobs/116/end", Map.of("node", "n1"));
    } finally {
      server.vault().failing(false);
    }

    Reply admin = server.user("POST", "/v1/admin/jobs/116/end", TestServer.ADMIN, Map.of());

    assertThat(end.status()).isEqualTo(503);
    assertThat(end.error()).isEqualTo("vault-unavailable");
    assertThat(admin.json().path("released").asBoolean()).as(admin.text()).isTrue();
    assertThat(server.vault().roles()).doesNotContainKey("hpcs-job-116");
    assertThat(auditReasons(TestServer.ADMIN, "?job=116")).contains("vault-unavailable");
  }
}
