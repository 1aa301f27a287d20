package org.hpcs.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.hpcs.common.api.Json;

/**
 * A loopback HTTP server that answers the few Vault endpoints the HPCS server calls, for unit tests
 * of error paths; the integration tests use the real OpenBao.
 */
public final class FakeVault implements AutoCloseable {
  /** The server's own token. */
  public static final String SERVER_TOKEN = "hvs.server-token-for-tests";

  private final HttpServer server;
  private final ObjectMapper json = Json.lenient();
  private final Map<String, Map<String, Object>> tokens = new ConcurrentHashMap<>();
  private final Map<String, String> policies = new ConcurrentHashMap<>();
  private final Map<String, JsonNode> roles = new ConcurrentHashMap<>();
  private volatile boolean failing;

  /** Starts the server on a free loopback port. */
  public FakeVault() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Returns the address. */
  public URI address() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Adds a user token from a userpass login, with a username and policies. */
  public void addToken(String token, String username, String... policies) {
    addTokenAt(token, "auth/userpass/login/" + username, username, policies);
  }

  /** Adds a token created at the given API path, with a username and policies. */
  public void addTokenAt(String token, String path, String username, String... policies) {
    tokens.put(
        token,
        Map.of(
            "meta",
            Map.of("username", username),
            "policies",
            List.of(policies),
            "display_name",
            "userpass-" + username,
            "path",
            path));
  }

  /** Makes every administrative call answer 500 until reset. */
  public void failing(boolean value) {
    failing = value;
  }

  /** Returns the stored policies by name. */
  public Map<String, String> policies() {
    return Map.copyOf(policies);
  }

  /** Returns the stored JWT roles by name. */
  public Map<String, JsonNode> roles() {
    return Map.copyOf(roles);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    String method = exchange.getRequestMethod();
    String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
    byte[] body = exchange.getRequestBody().readAllBytes();
    if (path.equals("/v1/sys/health")) {
      reply(exchange, 200, Map.of("initialized", true, "sealed", false));
    } else if (path.equals("/v1/auth/token/lookup-self")) {
      Map<String, Object> data = token == null ? null : tokens.get(token);
      reply(
          exchange,
          data == null ? 403 : 200,
          data == null ? Map.of("errors", List.of("permission denied")) : Map.of("data", data));
    } else if (!SERVER_TOKEN.equals(token)) {
      reply(exchange, 403, Map.of("errors", List.of("permission denied")));
    } else if (failing) {
      reply(exchange, 500, Map.of("errors", List.of("internal error")));
    } else if (path.startsWith("/v1/sys/policies/acl/")) {
      String name = path.substring("/v1/sys/policies/acl/".length());
      if (method.equals("DELETE")) {
        policies.remove(name);
      } else {
        policies.put(name, json.readTree(body).path("policy").asText());
      }
      reply(exchange, 204, null);
    } else if (path.startsWith("/v1/auth/jwt/role/")) {
      role(exchange, method, path.substring("/v1/auth/jwt/role/".length()), body);
    } else {
      reply(exchange, 404, Map.of("errors", List.of()));
    }
  }

  private void role(HttpExchange exchange, String method, String name, byte[] body)
      throws IOException {
    switch (method) {
      case "DELETE" -> {
        roles.remove(name);
        reply(exchange, 204, null);
      }
      case "GET" -> {
        JsonNode role = roles.get(name);
        reply(
            exchange,
            role == null ? 404 : 200,
            role == null ? Map.of("errors", List.of()) : Map.of("data", role));
      }
      default -> {
        roles.put(name, json.readTree(body));
        reply(exchange, 204, null);
      }
    }
  }

  private void reply(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = body == null ? new byte[0] : json.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
    exchange.close();
  }

  /** Returns the policies as a set of names, for assertions. */
  public Set<String> policyNames() {
    return Set.copyOf(policies.keySet());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
