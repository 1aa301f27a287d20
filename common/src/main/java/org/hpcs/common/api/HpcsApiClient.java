package org.hpcs.common.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Typed client for the user endpoints of the HPCS server: bundle registration, grants and the audit
 * trail. The caller authenticates with a Vault token sent as a bearer token.
 */
public final class HpcsApiClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final HttpClient http;
  private final Supplier<String> vaultToken;
  private final ObjectMapper json = Json.lenient();

  /**
   * Creates a client.
   *
   * @param base the server's base URI, for example {@code https://hpcs.example:8443}
   * @param tls the TLS context that trusts the server's certificate
   * @param vaultToken supplies the caller's Vault token for each request
   */
  public HpcsApiClient(URI base, SSLContext tls, Supplier<String> vaultToken) {
    this.base = Objects.requireNonNull(base, "base must not be null");
    this.vaultToken = Objects.requireNonNull(vaultToken, "vaultToken must not be null");
    this.http =
        HttpClient.newBuilder()
            .sslContext(Objects.requireNonNull(tls, "tls must not be null"))
            .connectTimeout(TIMEOUT)
            .build();
  }

  /**
   * Registers a bundle from its signed manifest; the caller must be the manifest's owner.
   *
   * @param manifestJson the exact bytes of {@code <name>.manifest.json}; the server records their
   *     SHA-256, so they must be sent unchanged
   * @throws HpcsApiException when the server rejects the manifest or cannot be reached
   */
  public BundleInfo registerBundle(byte[] manifestJson) throws HpcsApiException {
    Objects.requireNonNull(manifestJson, "manifestJson must not be null");
    return send("POST", "/v1/bundles", manifestJson.clone(), BundleInfo.class);
  }

  /**
   * Grants a user the use of one of the caller's bundles.
   *
   * @throws HpcsApiException when the server rejects the grant or cannot be reached
   */
  public Grant grant(GrantRequest request) throws HpcsApiException {
    return send("POST", "/v1/grants", request, Grant.class);
  }

  /**
   * Lists the grants of the caller's bundles, optionally of one bundle only.
   *
   * @param bundleId a bundle identifier, or null for all of the caller's bundles
   * @throws HpcsApiException when the server rejects the request or cannot be reached
   */
  public GrantList grants(String bundleId) throws HpcsApiException {
    return send("GET", "/v1/grants" + query("bundle", bundleId, null, null), null, GrantList.class);
  }

  /**
   * Lists the grants the caller received from bundle owners, optionally of one bundle.
   *
   * @param bundleId a bundle identifier, or null for every bundle
   * @throws HpcsApiException when the server rejects the request or cannot be reached
   */
  public GrantList grantsReceived(String bundleId) throws HpcsApiException {
    return send(
        "GET", "/v1/grants" + query("role", "grantee", "bundle", bundleId), null, GrantList.class);
  }

  /**
   * Revokes a grant of one of the caller's bundles.
   *
   * @throws HpcsApiException when the grant is not the caller's or the server cannot be reached
   */
  public Grant revoke(String grantId) throws HpcsApiException {
    return send("DELETE", "/v1/grants/" + encode(grantId), null, Grant.class);
  }

  /**
   * Reads the audit trail of the caller's bundles (admins see every record).
   *
   * @param bundleId limit to one bundle, or null
   * @param jobId limit to one job, or null
   * @throws HpcsApiException when the server rejects the request or cannot be reached
   */
  public AuditList audit(String bundleId, String jobId) throws HpcsApiException {
    return send(
        "GET", "/v1/audit" + query("bundle", bundleId, "job", jobId), null, AuditList.class);
  }

  private <T> T send(String method, String path, Object body, Class<T> type)
      throws HpcsApiException {
    HttpRequest request = request(method, path, body);
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new HpcsApiException(
          "HPCS server " + base + " unreachable (" + e.getMessage() + "): check the URL", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HpcsApiException("interrupted while calling HPCS server " + base, e);
    }
    return decode(method + " " + path, response, type);
  }

  private HttpRequest request(String method, String path, Object body) throws HpcsApiException {
    HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
    if (body instanceof byte[] bytes) {
      publisher = HttpRequest.BodyPublishers.ofByteArray(bytes);
    } else if (body != null) {
      try {
        publisher = HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body));
      } catch (JsonProcessingException e) {
        throw new HpcsApiException("cannot encode request for " + path, e);
      }
    }
    return HttpRequest.newBuilder(base.resolve(path))
        .timeout(TIMEOUT)
        .header("Authorization", "Bearer " + vaultToken.get())
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .method(method, publisher)
        .build();
  }

  private <T> T decode(String call, HttpResponse<byte[]> response, Class<T> type)
      throws HpcsApiException {
    int status = response.statusCode();
    try {
      if (status / 100 == 2) {
        return json.readValue(response.body(), type);
      }
      ApiError error = json.readValue(response.body(), ApiError.class);
      throw new HpcsApiException(status, error.error(), error.message());
    } catch (IOException e) {
      throw new HpcsApiException(
          status, "bad-response", call + " returned HTTP " + status + " with an unreadable body");
    }
  }

  private static String query(String key1, String value1, String key2, String value2) {
    StringBuilder query = new StringBuilder();
    if (value1 != null) {
      query.append(query.isEmpty() ? '?' : '&').append(key1).append('=').append(encode(value1));
    }
    if (value2 != null) {
      query.append(query.isEmpty() ? '?' : '&').append(key2).append('=').append(encode(value2));
    }
    return query.toString();
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
