package org.hpcs.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.hpcs.attest.jointoken.JoinTokens;
import org.hpcs.common.api.Json;
import org.hpcs.server.ServerApp;
import org.hpcs.server.config.ConfigLoader;
import org.hpcs.server.config.ServerConfig;
import org.hpcs.server.vault.VaultClient;

/**
 * The real server on a loopback port with its real database, and in-process fakes of Vault and
 * SPIRE, for unit tests of the HTTP layer and of every denial path.
 */
public final class TestServer implements AutoCloseable {
  /** Vault tokens of the test users. */
  public static final String OWNER = "hvs.owner-token-0001";

  /** Alice's token. */
  public static final String ALICE = "hvs.alice-token-0001";

  /** Bob's token. */
  public static final String BOB = "hvs.bob-token-00001";

  /** An admin's token. */
  public static final String ADMIN = "hvs.admin-token-0001";

  private static final ObjectMapper JSON = Json.lenient();

  private final TestPki pki;
  private final FakeVault vault;
  private final FakeSpire spire;
  private final MutableClock clock;
  private final ServerApp app;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
  private final Map<String, KeyPair> ownerKeys = new ConcurrentHashMap<>();

  private TestServer(
      TestPki pki, FakeVault vault, FakeSpire spire, MutableClock clock, ServerApp app) {
    this.pki = pki;
    this.vault = vault;
    this.spire = spire;
    this.clock = clock;
    this.app = app;
  }

  /** Starts the server on SQLite with a one-second sweeper. */
  public static TestServer start(Path temp, TestPki pki) throws Exception {
    return start(temp, pki, Map.of());
  }

  /** Starts the server with extra or replaced configuration values. */
  public static TestServer start(Path temp, TestPki pki, Map<String, String> extraConfig)
      throws Exception {
    FakeVault vault = new FakeVault();
    vault.addToken(OWNER, "owner", "default", "hpcs-owner");
    vault.addToken(ALICE, "alice", "default", "hpcs-owner");
    vault.addToken(BOB, "bob", "default", "hpcs-owner");
    vault.addToken(ADMIN, "admin", "default", "hpcs-admin");
    FakeSpire spire = new FakeSpire(pki.spiffeBundlePem());
    MutableClock clock = new MutableClock(Instant.now());
    Path token = temp.resolve("vault-token");
    Files.writeString(token, FakeVault.SERVER_TOKEN);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    Map<String, String> values = new HashMap<>();
    values.put("listen.port", "0");
    values.put("slurm.verifyJobs", "false");
    values.put("listen.threads", "8");
    values.put("tls.certFile", pki.file("server.crt").toString());
    values.put("tls.keyFile", pki.file("server.key").toString());
    values.put("trustDomain", "hpcs.test");
    values.put("db.url", "jdbc:sqlite:" + temp.resolve("server.db"));
    values.put("vault.addr", vault.address().toString());
    values.put("vault.tokenFile", token.toString());
    values.put("spire.socketPath", temp.resolve("spire.sock").toString());
    values.put("jobs.sweepIntervalSeconds", "1");
    values.put("enrol.attestors", "join-token, " + TwoRoundTestAttestor.NAME);
    values.putAll(extraConfig);
    ServerConfig config = ConfigLoader.parse("test", values);
    VaultClient vaultClient =
        new VaultClient(vault.address(), HttpClient.newHttpClient(), () -> FakeVault.SERVER_TOKEN);
    TestDatabases.Settings database = new TestDatabases.Settings(config.dbUrl(), null, null);
    ServerApp app = ServerApp.start(config, database.open(), spire, vaultClient, clock);
    return new TestServer(pki, vault, spire, clock, app);
  }

  /** Returns the fake Vault. */
  public FakeVault vault() {
    return vault;
  }

  /** Returns the fake SPIRE server. */
  public FakeSpire spire() {
    return spire;
  }

  /** Returns the clock of every decision. */
  public MutableClock clock() {
    return clock;
  }

  /** Returns the base URI. */
  public URI base() {
    return URI.create("https://localhost:" + app.port());
  }

  /**
   * A response.
   *
   * @param status the HTTP status
   * @param text the body
   * @param json the body parsed as JSON, or a missing node
   */
  public record Reply(int status, String text, JsonNode json) {
    /** Returns the error code of an error body. */
    public String error() {
      return json.path("error").asText();
    }
  }

  /** Sends a request with full control over each part. */
  public Reply call(
      String method, String path, String clientLeaf, String bearer, String contentType, String body)
      throws Exception {
    return call(client(clientLeaf), method, path, bearer, contentType, body);
  }

  /**
   * Sends a request on a connection of its own, for requests after which the server closes the
   * connection (an oversized body), so that pooled connections of later tests stay usable.
   */
  public Reply callOnNewConnection(
      String method, String path, String bearer, String contentType, String body) throws Exception {
    try (HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext(null)).build()) {
      return call(client, method, path, bearer, contentType, body);
    }
  }

  private Reply call(
      HttpClient client, String method, String path, String bearer, String contentType, String body)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(base().resolve(path));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json;
    try {
      json = JSON.readTree(response.body());
    } catch (IOException e) {
      json = JSON.missingNode();
    }
    return new Reply(
        response.statusCode(), response.body(), json == null ? JSON.missingNode() : json);
  }

  /** Sends JSON as a user. */
  public Reply user(String method, String path, String token, Object body) throws Exception {
    return call(
        method,
        path,
        null,
        token,
        "application/json",
        body == null ? null : JSON.writeValueAsString(body));
  }

  /** Sends JSON as a node agent presenting the named certificate. */
  public Reply node(String leaf, String path, Object body) throws Exception {
    return call("POST", path, leaf, null, "application/json", JSON.writeValueAsString(body));
  }

  /** Creates a join token for the node as admin and returns its value. */
  public String joinToken(String node) throws Exception {
    Reply reply =
        user("POST", "/v1/admin/join-tokens", ADMIN, Map.of("node", node, "ttlSeconds", 300));
    if (reply.status() != 201) {
      throw new IllegalStateException("join token creation failed: " + reply.text());
    }
    return reply.json().path("token").asText();
  }

  /** Runs challenge and enrolment with the given token and returns the enrolment reply. */
  public Reply enrol(String node, String token) throws Exception {
    Reply challenge =
        user("POST", "/v1/nodes/challenge", null, Map.of("node", node, "attestor", "join-token"));
    byte[] nonce = Base64.getDecoder().decode(challenge.json().path("nonce").asText());
    String proof = Base64.getEncoder().encodeToString(JoinTokens.proof(token, nonce, node));
    return user(
        "POST",
        "/v1/nodes/enrol",
        null,
        Map.of(
            "challengeId", challenge.json().path("challengeId").asText(),
            "node", node,
            "evidence",
                Map.of(
                    "attestor", "join-token", "fields", Map.of("token", token, "proof", proof))));
  }

  /** Enrols the node with a fresh admin token, failing when the server denies it. */
  public void enrol(String node) throws Exception {
    Reply reply = enrol(node, joinToken(node));
    if (reply.status() != 200) {
      throw new IllegalStateException("enrolment of " + node + " failed: " + reply.text());
    }
  }

  /** Returns the owner's signing key pair, created on first use. */
  public KeyPair ownerKey(String owner) {
    return ownerKeys.computeIfAbsent(owner, o -> newKeyPair());
  }

  /**
   * Registers the manifest of a data bundle that tests call {@code label} (its identifier is {@link
   * TestManifests#bundleId}), signed with the owner's key, and returns the reply.
   */
  public Reply registerBundle(String token, String owner, String label) throws Exception {
    return registerManifest(
        token,
        TestManifests.signed(TestManifests.unsigned(owner, label, "kv-hpcs"), ownerKey(owner)));
  }

  /** Sends manifest file bytes to {@code POST /v1/bundles}. */
  public Reply registerManifest(String token, byte[] manifest) throws Exception {
    return call(
        "POST",
        "/v1/bundles",
        null,
        token,
        "application/json",
        new String(manifest, StandardCharsets.UTF_8));
  }

  private static KeyPair newKeyPair() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpClient client(String leaf) {
    return clients.computeIfAbsent(
        leaf == null ? "" : leaf,
        key -> {
          try {
            SSLContext context = pki.clientContext(key.isEmpty() ? null : key);
            return HttpClient.newBuilder().sslContext(context).build();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Override
  public void close() {
    app.close();
    vault.close();
    clients.values().forEach(HttpClient::close);
  }
}
