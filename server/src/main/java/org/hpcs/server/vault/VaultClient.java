package org.hpcs.server.vault;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;
import org.hpcs.common.api.Json;

/**
 * Calls the Vault (or OpenBao) HTTP API with the JDK HTTP client. Every call checks the status
 * code, because Vault reports a refusal as a 403 response that must never pass for success.
 */
public final class VaultClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(15);
  private static final Pattern EXCEPTION_NAME =
      Pattern.compile("(?:[a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error):? ?");

  private final URI address;
  private final HttpClient http;
  private final Supplier<String> serverToken;
  private final ObjectMapper json = Json.lenient();

  /**
   * Creates a client.
   *
   * @param address Vault's address, for example {@code https://vault.example:8200}
   * @param http the HTTP client, configured with Vault's CA when the address is https
   * @param serverToken supplies the server's own Vault token for administrative calls
   */
  public VaultClient(URI address, HttpClient http, Supplier<String> serverToken) {
    this.address = address;
    this.http = http;
    this.serverToken = serverToken;
  }

  /** Returns Vault's address. */
  public URI address() {
    return address;
  }

  /**
   * Looks up the caller's own token with that token, so the server needs no lookup rights.
   *
   * @return empty when Vault rejects the token (403)
   * @throws VaultException when Vault fails
   */
  public Optional<TokenInfo> lookupSelf(String callerToken) throws VaultException {
    HttpResponse<byte[]> response = send("GET", "auth/token/lookup-self", null, callerToken);
    if (response.statusCode() == 403 || response.statusCode() == 401) {
      return Optional.empty();
    }
    JsonNode data = expectOk(response, "auth/token/lookup-self").path("data");
    Set<String> policies = new HashSet<>();
    data.path("policies").forEach(p -> policies.add(p.asText()));
    data.path("identity_policies").forEach(p -> policies.add(p.asText()));
    String username = data.path("meta").path("username").asText("");
    String loginPath = data.path("path").asText("");
    return Optional.of(new TokenInfo(username, policies, loginPath));
  }

  /** Writes an ACL policy (create or replace). */
  public void putPolicy(String name, String hcl) throws VaultException {
    String path = "sys/policies/acl/" + name;
    expectOk(send("PUT", path, Map.of("policy", hcl), serverToken.get()), path);
  }

  /** Deletes an ACL policy; deleting a missing policy succeeds. */
  public void deletePolicy(String name) throws VaultException {
    String path = "sys/policies/acl/" + name;
    expectOk(send("DELETE", path, null, serverToken.get()), path);
  }

  /** Writes a role of the JWT auth method (create or replace). */
  public void putJwtRole(String mount, String name, Map<String, Object> role)
      throws VaultException {
    String path = "auth/" + mount + "/role/" + name;
    expectOk(send("POST", path, role, serverToken.get()), path);
  }

  /** Deletes a JWT role; deleting a missing role succeeds. */
  public void deleteJwtRole(String mount, String name) throws VaultException {
    String path = "auth/" + mount + "/role/" + name;
    expectOk(send("DELETE", path, null, serverToken.get()), path);
  }

  /** Returns true when the JWT role exists. */
  public boolean jwtRoleExists(String mount, String name) throws VaultException {
    String path = "auth/" + mount + "/role/" + name;
    HttpResponse<byte[]> response = send("GET", path, null, serverToken.get());
    if (response.statusCode() == 404) {
      return false;
    }
    expectOk(response, path);
    return true;
  }

  /**
   * Logs in with a JWT at a role of the JWT auth method and returns the client token.
   *
   * @throws VaultException naming the mount, role and status when Vault refuses the login
   */
  public String jwtLogin(String mount, String role, String jwt) throws VaultException {
    String path = "auth/" + mount + "/login";
    HttpResponse<byte[]> response = send("POST", path, Map.of("role", role, "jwt", jwt), null);
    if (response.statusCode() / 100 != 2) {
      throw new VaultException(
          response.statusCode(),
          "Vault refused JWT login at "
              + path
              + " with role "
              + role
              + ": HTTP "
              + response.statusCode()
              + errors(response.body()));
    }
    return expectOk(response, path).path("auth").path("client_token").asText();
  }

  /**
   * Reads a KV version 2 secret with the given token.
   *
   * @param httpPath the full API path including the {@code data/} segment
   * @return the secret's key-value data
   * @throws VaultException naming the path and status when the read fails, for example 403
   */
  public JsonNode readKv(String token, String httpPath) throws VaultException {
    HttpResponse<byte[]> response = send("GET", httpPath, null, token);
    if (response.statusCode() / 100 != 2) {
      throw new VaultException(
          response.statusCode(),
          "reading "
              + httpPath
              + " from Vault failed with HTTP "
              + response.statusCode()
              + errors(response.body()));
    }
    return expectOk(response, httpPath).path("data").path("data");
  }

  /**
   * Renews the server's own token. A token that is not renewable (a root token, for example) makes
   * Vault answer 400, which is reported as an exception for the caller to log.
   */
  public void renewSelf() throws VaultException {
    expectOk(
        send("POST", "auth/token/renew-self", Map.of(), serverToken.get()),
        "auth/token/renew-self");
  }

  /** Returns true when Vault answers its health endpoint as initialised and unsealed. */
  public boolean healthy() {
    try {
      return send("GET", "sys/health", null, null).statusCode() == 200;
    } catch (VaultException e) {
      return false;
    }
  }

  private HttpResponse<byte[]> send(String method, String path, Object body, String token)
      throws VaultException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(address.resolve("/v1/" + path)).timeout(TIMEOUT);
    if (token != null) {
      request.header("X-Vault-Token", token);
    }
    try {
      HttpRequest.BodyPublisher publisher =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body));
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      return http.send(
          request.method(method, publisher).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      // The message reaches API callers, so it names the failure without the exception class;
      // the cause keeps the class for the server log.
      throw new VaultException(
          "Vault " + address + " unreachable for " + path + ": " + transportFailure(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new VaultException("interrupted while calling Vault for " + path, e);
    }
  }

  private static String transportFailure(IOException e) {
    if (e instanceof HttpTimeoutException) {
      return "timed out";
    }
    if (e instanceof ConnectException) {
      return "connection refused or unreachable";
    }
    if (e instanceof SSLException) {
      return "TLS handshake failed; check vault.caFile and Vault's certificate";
    }
    String message = e.getMessage();
    if (message == null || message.isBlank()) {
      return "I/O error";
    }
    // JDK messages often embed a wrapped exception as "java.io.FooException: text".
    return EXCEPTION_NAME.matcher(message).replaceAll("");
  }

  private JsonNode expectOk(HttpResponse<byte[]> response, String path) throws VaultException {
    int status = response.statusCode();
    if (status / 100 != 2) {
      throw new VaultException(
          status, "Vault answered HTTP " + status + " for " + path + errors(response.body()));
    }
    if (status == 204 || response.body().length == 0) {
      return json.missingNode();
    }
    try {
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new VaultException(status, "Vault returned unreadable JSON for " + path);
    }
  }

  private String errors(byte[] body) {
    try {
      JsonNode errors = json.readTree(body).path("errors");
      return errors.isArray() && !errors.isEmpty() ? ": " + errors : "";
    } catch (IOException e) {
      return "";
    }
  }
}
