package org.hpcs.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spiffe.provider.SpiffeKeyManager;
import io.spiffe.workloadapi.DefaultJwtSource;
import io.spiffe.workloadapi.DefaultX509Source;
import io.spiffe.workloadapi.JwtSource;
import io.spiffe.workloadapi.JwtSourceOptions;
import io.spiffe.workloadapi.X509Source;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.common.api.Json;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.server.Main;
import org.hpcs.server.ServerApp;
import org.hpcs.server.config.ConfigLoader;
import org.hpcs.server.http.ServerTls;
import org.hpcs.server.testing.TestDatabases;
import org.hpcs.server.testing.TestManifests;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.vault.VaultClient;
import org.hpcs.server.vault.VaultException;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole key-release chain on the test stack: real SPIRE, OpenBao and database. A node enrols
 * with a join token and the owner grants a bundle to alice. Alice's job on that node gets a role
 * that reads exactly that bundle's key with the node agent's JWT-SVID. Bob's job is denied, and the
 * role stops working when the job ends.
 */
@ExtendWith(TestClusterExtension.class)
class KeyReleaseIT {
  private static final ObjectMapper JSON = Json.lenient();

  @TempDir static Path temp;

  private static StackAccess stack;
  private static TestPki pki;
  private static String serverToken;
  private static String ownerToken;
  private static String aliceToken;
  private static String bobToken;

  @BeforeAll
  static void logIn(TestCluster cluster) throws Exception {
    cluster.assumeSpire();
    cluster.assumeOpenBao();
    stack = new StackAccess(cluster);
    pki = TestPki.create(temp);
    serverToken = stack.login(cluster.baoAdminUser());
    ownerToken = stack.login("owner");
    aliceToken = stack.login("alice");
    bobToken = stack.login("bob");
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void keyRelease_enrolledNodeGrantedUser_readsOnlyGrantedKey(TestDatabases.Kind kind)
      throws Exception {
    String run = HexFormat.of().formatHex(SecureRandom.getSeed(4));
    String granted = TestManifests.bundleId("it-b-" + run);
    String other = TestManifests.bundleId("it-c-" + run);
    String kvMount = stack.env("BAO_KV_MOUNT");
    writeKey(granted, "AGE-SECRET-KEY-GRANTED-" + run);
    writeKey(other, "AGE-SECRET-KEY-OTHER-" + run);

    try (ServerApp app = startServer(kind, run);
        RunningSlurmJobs slurm = new RunningSlurmJobs(stack.env("SLURM_CONF"))) {
      Api api = new Api(URI.create("https://localhost:" + app.port()));
      String jobId = slurm.submitRunning("alice");

      // A node enrols with an admin-created join token; a replayed or unknown token is denied.
      String token = api.joinToken("n1");
      JsonNode enrolled = api.enrol("n1", token);
      assertThat(enrolled.path("status").asInt()).as(enrolled.toString()).isEqualTo(200);
      assertThat(enrolled.path("nodeSpiffeId").asText())
          .isEqualTo("spiffe://hpcs.test/hpcs/node/n1");
      assertThat(stack.entryParents("spiffe://hpcs.test/hpcs/node/n1"))
          .contains("spiffe://hpcs.test/hpcs/spire-agent/n1");
      assertThat(api.enrol("n1", token).path("error").asText()).isEqualTo("token-replayed");
      assertThat(api.enrol("n1", "never-issued-token-" + run).path("error").asText())
          .isEqualTo("token-unknown");

      // The owner registers two bundles and grants only the first to alice.
      String digest = api.registerBundle("it-b-" + run);
      String otherDigest = api.registerBundle("it-c-" + run);
      assertThat(
              api.user(
                      "POST",
                      "/v1/grants",
                      ownerToken,
                      Map.of("bundleId", granted, "user", "alice"))
                  .path("status")
                  .asInt())
          .isEqualTo(201);

      try (X509Source svid = x509Source();
          JwtSource jwt = jwtSource()) {
        HttpClient node = nodeClient(svid);

        // Alice's job on n1: the node agent's JWT-SVID logs in with the job role and reads B.
        JsonNode started =
            api.node(node, "/v1/jobs/" + jobId + "/start", job("alice", granted, digest));
        assertThat(started.path("status").asInt()).as(started.toString()).isEqualTo(200);
        assertThat(started.path("vaultRole").asText()).isEqualTo("hpcs-job-" + jobId);
        assertThat(started.path("keys").findValuesAsText("kvPath"))
            .containsExactly("owners/owner/bundles/" + granted);
        assertThat(started.path("ownerRecipients").get(0).asText())
            .isEqualTo(TestManifests.OUTPUT_RECIPIENT);
        VaultClient vault =
            new VaultClient(stack.baoAddr(), HttpClient.newHttpClient(), () -> null);
        String jobToken = vault.jwtLogin(stack.env("BAO_JWT_MOUNT"), "hpcs-job-" + jobId, jwt(jwt));
        String grantedPath = kvMount + "/data/owners/owner/bundles/" + granted;
        assertThat(vault.readKv(jobToken, grantedPath).path("identity").asText())
            .isEqualTo("AGE-SECRET-KEY-GRANTED-" + run);
        String otherPath = kvMount + "/data/owners/owner/bundles/" + other;
        VaultException denied =
            assertThrows(VaultException.class, () -> vault.readKv(jobToken, otherPath));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.getMessage()).contains(otherPath);

        // Outside a job, alice's own Vault token cannot read the key she was granted.
        VaultException direct =
            assertThrows(VaultException.class, () -> vault.readKv(aliceToken, grantedPath));
        assertThat(direct.status()).isEqualTo(403);

        // The server checks the node's claims with Slurm.
        JsonNode claimedForBob =
            api.node(node, "/v1/jobs/" + jobId + "/start", job("bob", granted, digest));
        assertThat(claimedForBob.path("error").asText()).isEqualTo("job-user-mismatch");
        JsonNode unknownJob =
            api.node(node, "/v1/jobs/999999999/start", job("alice", granted, digest));
        assertThat(unknownJob.path("error").asText()).isEqualTo("job-unknown-to-slurm");

        // Bob has no grant, so his job is denied with a reason.
        String bobJob = slurm.submitRunning("bob");
        JsonNode bob = api.node(node, "/v1/jobs/" + bobJob + "/start", job("bob", granted, digest));
        assertThat(bob.path("status").asInt()).isEqualTo(403);
        assertThat(bob.path("error").asText()).isEqualTo("grant-missing");
        String secondJob = slurm.submitRunning("alice");
        JsonNode otherJob =
            api.node(node, "/v1/jobs/" + secondJob + "/start", job("alice", other, otherDigest));
        assertThat(otherJob.path("error").asText()).isEqualTo("grant-missing");

        // After the job ends the role no longer logs in.
        JsonNode ended = api.node(node, "/v1/jobs/" + jobId + "/end", Map.of("node", "n1"));
        assertThat(ended.path("released").asBoolean()).as(ended.toString()).isTrue();
        VaultException gone =
            assertThrows(
                VaultException.class,
                () -> vault.jwtLogin(stack.env("BAO_JWT_MOUNT"), "hpcs-job-" + jobId, jwt(jwt)));
        assertThat(gone.status()).isBetween(400, 403);
      }

      // The audit log records each decision, and the owner reads the trail of the bundle.
      List<String> reasons =
          api.user("GET", "/v1/audit", serverToken, null)
              .path("entries")
              .findValuesAsText("reason");
      assertThat(reasons)
          .contains("token-replayed", "token-unknown", "grant-missing", "job-user-mismatch");
      JsonNode trail = api.user("GET", "/v1/audit?bundle=" + granted, ownerToken, null);
      assertThat(trail.path("entries").findValuesAsText("action"))
          .contains("key.release", "job.start", "grant.create");
      assertThat(trail.path("entries").findValuesAsText("reason")).contains("grant-missing");

      assertThat(
              api.user("GET", "/v1/audit?bundle=" + granted, bobToken, null).path("error").asText())
          .isEqualTo("not-bundle-owner");
      // NOTE: n1 is not revoked here: the stack's own node agent on n1 enrolled through the same
      // SPIRE alias, so revoking n1 would evict its spire-agent. The next test revokes a node of
      // its own.
    }
  }

  @ParameterizedTest
  @EnumSource(value = TestDatabases.Kind.class, names = "SQLITE")
  void joinToken_spireAgentAttests_nodeSvidWorksUntilRevoked(TestDatabases.Kind kind)
      throws Exception {
    String run = HexFormat.of().formatHex(SecureRandom.getSeed(4));
    String nodeName = "itnode-" + run;
    try (ServerApp app = startServer(kind, run)) {
      Api api = new Api(URI.create("https://localhost:" + app.port()));
      JsonNode enrolled = api.enrol(nodeName, api.joinToken(nodeName));
      assertThat(enrolled.path("status").asInt()).as(enrolled.toString()).isEqualTo(200);
      Path agentDir = Files.createDirectories(temp.resolve("agent-" + run));

      try (SpireAgentProcess agent =
              SpireAgentProcess.start(
                  stack, agentDir, enrolled.path("spireAgentJoinToken").asText());
          X509Source svid = x509Source(agent.socketAddress())) {
        assertThat(svid.getX509Svid().getSpiffeId().toString())
            .isEqualTo("spiffe://hpcs.test/hpcs/node/" + nodeName);
        HttpClient node = nodeClient(svid);
        assertThat(api.node(node, "/v1/nodes/reenrol", Map.of()).path("status").asInt())
            .isEqualTo(200);

        JsonNode revoked = api.user("DELETE", "/v1/admin/nodes/" + nodeName, serverToken, null);

        assertThat(revoked.path("status").asInt()).as(revoked.toString()).isEqualTo(200);
        assertThat(api.node(node, "/v1/nodes/reenrol", Map.of()).path("error").asText())
            .isEqualTo("node-revoked");
        assertThat(stack.entryParents("spiffe://hpcs.test/hpcs/node/" + nodeName)).isEmpty();
        assertThat(stack.entryParents("spiffe://hpcs.test/hpcs/spire-agent/" + nodeName)).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabases.Kind.class)
  void sweeper_lostJob_deletesRoleAndPolicy(TestDatabases.Kind kind) throws Exception {
    String run = HexFormat.of().formatHex(SecureRandom.getSeed(4));
    String bundle = TestManifests.bundleId("it-s-" + run);
    writeKey(bundle, "AGE-SECRET-KEY-SWEPT-" + run);

    try (ServerApp app = startServer(kind, run, Map.of("jobs.sweepIntervalSeconds", "1"));
        RunningSlurmJobs slurm = new RunningSlurmJobs(stack.env("SLURM_CONF"));
        X509Source svid = x509Source();
        JwtSource jwt = jwtSource()) {
      Api api = new Api(URI.create("https://localhost:" + app.port()));
      assertThat(api.enrol("n1", api.joinToken("n1")).path("status").asInt()).isEqualTo(200);
      String digest = api.registerBundle("it-s-" + run);
      api.user("POST", "/v1/grants", ownerToken, Map.of("bundleId", bundle, "user", "alice"));
      String jobId = slurm.submitRunning("alice");
      Map<String, Object> body = new HashMap<>(job("alice", bundle, digest));
      body.put("timeLimitSeconds", 3);
      HttpClient node = nodeClient(svid);
      String role = "hpcs-job-" + jobId;
      VaultClient vault = new VaultClient(stack.baoAddr(), HttpClient.newHttpClient(), () -> null);

      JsonNode started = api.node(node, "/v1/jobs/" + jobId + "/start", body);
      assertThat(started.path("status").asInt()).as(started.toString()).isEqualTo(200);
      assertThat(vault.jwtLogin(stack.env("BAO_JWT_MOUNT"), role, jwt(jwt))).isNotBlank();

      // The job never ends at the server; past its time limit the sweeper removes its objects.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (stack.baoStatus("sys/policies/acl/" + role, serverToken) == 200
          && System.nanoTime() < deadline) {
        Thread.sleep(250);
      }
      assertThat(stack.baoStatus("sys/policies/acl/" + role, serverToken))
          .as("the job's policy in OpenBao")
          .isEqualTo(404);
      assertThat(
              stack.baoStatus("auth/" + stack.env("BAO_JWT_MOUNT") + "/role/" + role, serverToken))
          .as("the job's JWT role in OpenBao")
          .isEqualTo(404);
      VaultException gone =
          assertThrows(
              VaultException.class,
              () -> vault.jwtLogin(stack.env("BAO_JWT_MOUNT"), role, jwt(jwt)));
      assertThat(gone.status()).isBetween(400, 403);
      assertThat(api.node(node, "/v1/jobs/" + jobId + "/start", body).path("error").asText())
          .isEqualTo("job-expired");
      assertThat(api.user("GET", "/v1/audit?job=" + jobId, serverToken, null).path("entries"))
          .anyMatch(
              e ->
                  e.path("action").asText().equals("job.release")
                      && e.path("actor").asText().equals("sweeper"));
    }
  }

  private static void writeKey(String bundleId, String identity) throws Exception {
    stack.bao(
        "POST",
        stack.env("BAO_KV_MOUNT") + "/data/owners/owner/bundles/" + bundleId,
        ownerToken,
        Map.of("data", Map.of("identity", identity)));
  }

  private static ServerApp startServer(TestDatabases.Kind kind, String run) throws Exception {
    return startServer(kind, run, Map.of());
  }

  private static ServerApp startServer(
      TestDatabases.Kind kind, String run, Map<String, String> extra) throws Exception {
    Path dir = Files.createDirectories(temp.resolve("server-" + kind + "-" + run));
    Path token = dir.resolve("vault-token");
    Files.writeString(token, serverToken);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    TestDatabases.Settings database = TestDatabases.fresh(kind, dir);
    Properties config = new Properties();
    config.setProperty("listen.port", "0");
    config.setProperty("tls.certFile", pki.file("server.crt").toString());
    config.setProperty("tls.keyFile", pki.file("server.key").toString());
    config.setProperty("trustDomain", stack.env("HPCS_TRUST_DOMAIN"));
    config.setProperty("db.url", database.url());
    if (database.user() != null) {
      config.setProperty("db.user", database.user());
    }
    if (database.password() != null) {
      Path password = dir.resolve("db-password");
      Files.writeString(password, database.password());
      Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw-------"));
      config.setProperty("db.passwordFile", password.toString());
    }
    config.setProperty("vault.addr", stack.env("BAO_ADDR"));
    config.setProperty("vault.tokenFile", token.toString());
    config.setProperty("vault.kvMount", stack.env("BAO_KV_MOUNT"));
    config.setProperty("vault.jwtMount", stack.env("BAO_JWT_MOUNT"));
    config.setProperty("spire.serverBin", stack.spireServerBin().toString());
    config.setProperty("spire.socketPath", stack.env("SPIRE_SERVER_SOCKET"));
    config.setProperty("slurm.verifyJobs", "true");
    config.setProperty("slurm.conf", stack.env("SLURM_CONF"));
    extra.forEach(config::setProperty);
    Path file = dir.resolve("server.properties");
    try (var out = Files.newBufferedWriter(file)) {
      config.store(out, "integration test");
    }
    return Main.start(ConfigLoader.load(file));
  }

  private static Map<String, Object> job(String user, String bundleId, String digest) {
    return Map.of(
        "user",
        user,
        "nodes",
        List.of("n1"),
        "partition",
        "debug",
        "timeLimitSeconds",
        600,
        "bundles",
        List.of(Map.of("bundleId", bundleId, "manifestSha256", digest)));
  }

  private static X509Source x509Source() throws Exception {
    return x509Source("unix:" + stack.env("SPIRE_AGENT_SOCKET_N1"));
  }

  private static X509Source x509Source(String socket) throws Exception {
    return DefaultX509Source.newSource(
        DefaultX509Source.X509SourceOptions.builder()
            .spiffeSocketPath(socket)
            .initTimeout(Duration.ofSeconds(60))
            .build());
  }

  private static JwtSource jwtSource() throws Exception {
    return DefaultJwtSource.newSource(
        JwtSourceOptions.builder()
            .spiffeSocketPath("unix:" + stack.env("SPIRE_AGENT_SOCKET_N1"))
            .initTimeout(Duration.ofSeconds(60))
            .build());
  }

  private static String jwt(JwtSource source) throws Exception {
    return source.fetchJwtSvid("hpcs-vault").getToken();
  }

  private static HttpClient nodeClient(X509Source svid) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry(
        "server-ca", ServerTls.readCertificates(pki.file("server-ca.crt")).iterator().next());
    TrustManagerFactory trustFactory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustFactory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        new KeyManager[] {new SpiffeKeyManager(svid)}, trustFactory.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(context).build();
  }

  /** The server API as the test calls it: every reply as JSON with its status added. */
  private static final class Api {
    private final URI base;
    private final HttpClient anonymous;

    Api(URI base) throws Exception {
      this.base = base;
      this.anonymous = HttpClient.newBuilder().sslContext(pki.clientContext(null)).build();
    }

    JsonNode user(String method, String path, String token, Object body) throws Exception {
      return send(anonymous, method, path, token, body);
    }

    JsonNode node(HttpClient client, String path, Object body) throws Exception {
      return send(client, "POST", path, null, body);
    }

    String joinToken(String node) throws Exception {
      return user(
              "POST", "/v1/admin/join-tokens", serverToken, Map.of("node", node, "ttlSeconds", 600))
          .path("token")
          .asText();
    }

    JsonNode enrol(String node, String token) throws Exception {
      JsonNode challenge =
          user("POST", "/v1/nodes/challenge", null, Map.of("node", node, "attestor", "join-token"));
      byte[] nonce = java.util.Base64.getDecoder().decode(challenge.path("nonce").asText());
      String proof =
          java.util.Base64.getEncoder()
              .encodeToString(org.hpcs.attest.jointoken.JoinTokens.proof(token, nonce, node));
      return user(
          "POST",
          "/v1/nodes/enrol",
          null,
          Map.of(
              "challengeId", challenge.path("challengeId").asText(),
              "node", node,
              "evidence",
                  Map.of(
                      "attestor", "join-token", "fields", Map.of("token", token, "proof", proof))));
    }

    /**
     * Registers the signed manifest of the bundle that the test calls {@code label}, as the owner,
     * and returns the manifest digest that node agents send at job start.
     */
    String registerBundle(String label) throws Exception {
      byte[] manifest =
          TestManifests.signed(
              TestManifests.unsigned("owner", label, stack.env("BAO_KV_MOUNT")), ownerKeys());
      JsonNode reply = user("POST", "/v1/bundles", ownerToken, manifest);
      assertThat(reply.path("status").asInt()).as(reply.toString()).isEqualTo(201);
      assertThat(reply.path("manifestSha256").asText()).isEqualTo(Sha256.of(manifest).hex());
      return reply.path("manifestSha256").asText();
    }

    private JsonNode send(HttpClient client, String method, String path, String token, Object body)
        throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json");
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      request.method(
          method,
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(
                  body instanceof byte[] bytes ? bytes : JSON.writeValueAsBytes(body)));
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      JsonNode json =
          response.body().length == 0 ? JSON.createObjectNode() : JSON.readTree(response.body());
      ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("status", response.statusCode());
      return json;
    }
  }

  private static java.security.KeyPair ownerKeyPair;

  private static synchronized java.security.KeyPair ownerKeys() throws Exception {
    if (ownerKeyPair == null) {
      ownerKeyPair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }
    return ownerKeyPair;
  }
}
