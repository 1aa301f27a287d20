package org.hpcs.server.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.hpcs.attest.jointoken.JoinTokens;
import org.hpcs.common.api.Json;
import org.hpcs.server.testing.TestManifests;
import org.hpcs.server.testing.TestPki;

/** The benchmark's HTTP side: set-up calls and timed job start and end calls. */
final class BenchClient {
  private static final ObjectMapper JSON = Json.lenient();

  private final URI base;
  private final TestPki pki;
  private final String adminToken;
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
  private final AtomicInteger failures = new AtomicInteger();
  private volatile String bundleId;

  BenchClient(int port, TestPki pki, String adminToken) {
    this.base = URI.create("https://localhost:" + port);
    this.pki = pki;
    this.adminToken = adminToken;
  }

  static String userpassLogin(String addr, String mount, String user, String password)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(addr + "/v1/auth/" + mount + "/login/" + user))
            .POST(
                HttpRequest.BodyPublishers.ofByteArray(
                    JSON.writeValueAsBytes(Map.of("password", password))))
            .build();
    HttpResponse<byte[]> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IOException("userpass login of " + user + " failed: HTTP " + response.statusCode());
    }
    return JSON.readTree(response.body()).path("auth").path("client_token").asText();
  }

  /** Enrols n1..n3, registers a bundle as the admin user and grants it to alice. */
  String prepare() throws Exception {
    for (String node : List.of("n1", "n2", "n3")) {
      String token =
          call(
                  null,
                  "POST",
                  "/v1/admin/join-tokens",
                  adminToken,
                  Map.of("node", node, "ttlSeconds", 600))
              .path("token")
              .asText();
      JsonNode challenge =
          call(
              null,
              "POST",
              "/v1/nodes/challenge",
              null,
              Map.of("node", node, "attestor", "join-token"));
      byte[] nonce = Base64.getDecoder().decode(challenge.path("nonce").asText());
      call(
          null,
          "POST",
          "/v1/nodes/enrol",
          null,
          Map.of(
              "challengeId",
              challenge.path("challengeId").asText(),
              "node",
              node,
              "evidence",
              Map.of(
                  "attestor",
                  "join-token",
                  "fields",
                  Map.of(
                      "token",
                      token,
                      "proof",
                      Base64.getEncoder().encodeToString(JoinTokens.proof(token, nonce, node))))));
    }
    // The admin user registers the bundle, so it is also the bundle's owner.
    String owner = "admin";
    String label = "bench-" + Long.toHexString(System.nanoTime());
    String bundleId = TestManifests.bundleId(label);
    KeyPair key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    byte[] manifest = TestManifests.signed(TestManifests.unsigned(owner, label, "kv-hpcs"), key);
    JsonNode bundle = call(null, "POST", "/v1/bundles", adminToken, manifest);
    call(null, "POST", "/v1/grants", adminToken, Map.of("bundleId", bundleId, "user", "alice"));
    this.bundleId = bundleId;
    return bundle.path("manifestSha256").asText();
  }

  boolean start(String jobId, String node, String digest) throws Exception {
    JsonNode reply =
        call(
            node,
            "POST",
            "/v1/jobs/" + jobId + "/start",
            null,
            Map.of(
                "user",
                "alice",
                "nodes",
                List.of(node),
                "partition",
                "debug",
                "timeLimitSeconds",
                600,
                "bundles",
                List.of(Map.of("bundleId", bundleId, "manifestSha256", digest))));
    return reply.path("vaultRole").asText().equals("hpcs-job-" + jobId);
  }

  boolean end(String jobId, String node) throws Exception {
    return call(node, "POST", "/v1/jobs/" + jobId + "/end", null, Map.of("node", node))
        .path("released")
        .asBoolean();
  }

  boolean timed(ConcurrentHistogram histogram, Callable<Boolean> call) {
    long begin = System.nanoTime();
    try {
      boolean ok = call.call();
      histogram.recordValue(Math.max(1, (System.nanoTime() - begin) / 1000));
      return ok;
    } catch (Exception e) {
      System.err.println("request failed: " + e);
      return false;
    }
  }

  int failures() {
    return failures.get();
  }

  private JsonNode call(String leaf, String method, String path, String token, Object body)
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
        client(leaf).send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() / 100 != 2) {
      failures.incrementAndGet();
      System.err.println(
          method
              + " "
              + path
              + " -> "
              + response.statusCode()
              + " "
              + new String(response.body(), java.nio.charset.StandardCharsets.UTF_8));
      return JSON.missingNode();
    }
    return JSON.readTree(response.body());
  }

  private HttpClient client(String leaf) {
    return clients.computeIfAbsent(
        leaf == null ? "" : leaf,
        key -> {
          try {
            return HttpClient.newBuilder()
                .sslContext(pki.clientContext(key.isEmpty() ? null : key))
                .build();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }
}
