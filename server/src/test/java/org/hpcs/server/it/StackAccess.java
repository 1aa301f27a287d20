package org.hpcs.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hpcs.common.api.Json;
import org.hpcs.testcluster.TestCluster;

/** Access to the shared test stack's OpenBao and SPIRE server for integration tests. */
final class StackAccess {
  private static final ObjectMapper JSON = Json.lenient();

  private final TestCluster cluster;
  private final HttpClient http = HttpClient.newHttpClient();

  StackAccess(TestCluster cluster) {
    this.cluster = cluster;
  }

  String env(String key) {
    return cluster.env(key);
  }

  URI baoAddr() {
    return cluster.baoAddr();
  }

  /** Logs a userpass user in and returns the client token. */
  String login(String user) throws IOException, InterruptedException {
    String password = cluster.userPassword(user);
    JsonNode reply =
        bao(
            "POST",
            "auth/" + env("BAO_USERPASS_MOUNT") + "/login/" + user,
            null,
            Map.of("password", password));
    return reply.path("auth").path("client_token").asText();
  }

  /** Calls OpenBao and returns the JSON reply; fails on any status other than 2xx. */
  JsonNode bao(String method, String path, String token, Object body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(baoAddr().resolve("/v1/" + path));
    if (token != null) {
      request.header("X-Vault-Token", token);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    HttpResponse<byte[]> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() / 100 != 2) {
      throw new IOException(
          method
              + " "
              + path
              + " answered HTTP "
              + response.statusCode()
              + ": "
              + new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body().length == 0 ? JSON.missingNode() : JSON.readTree(response.body());
  }

  /** Returns the HTTP status of an OpenBao read, for checks that expect an object to be gone. */
  int baoStatus(String path, String token) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(baoAddr().resolve("/v1/" + path))
            .header("X-Vault-Token", token)
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  Path spireServerBin() {
    return cluster.spireBinDir().resolve("spire-server");
  }

  /** Runs spire-server with the admin socket and returns its JSON output. */
  JsonNode spire(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(spireServerBin().toString());
    command.add(args[0]);
    command.add(args[1]);
    command.add("-socketPath");
    command.add(env("SPIRE_SERVER_SOCKET"));
    command.addAll(List.of(args).subList(2, args.length));
    command.add("-output");
    command.add("json");
    Process process = new ProcessBuilder(command).start();
    byte[] out;
    try (InputStream in = process.getInputStream()) {
      out = in.readAllBytes();
    }
    if (process.waitFor() != 0) {
      throw new IOException("spire-server " + String.join(" ", args) + " failed");
    }
    return JSON.readTree(out);
  }

  /** Returns the parent IDs of the entries with the SPIFFE ID. */
  List<String> entryParents(String spiffeId) throws IOException, InterruptedException {
    List<String> parents = new ArrayList<>();
    for (JsonNode entry : spire("entry", "show", "-spiffeID", spiffeId).path("entries")) {
      parents.add(
          "spiffe://"
              + entry.path("parent_id").path("trust_domain").asText()
              + entry.path("parent_id").path("path").asText());
    }
    return parents;
  }
}
