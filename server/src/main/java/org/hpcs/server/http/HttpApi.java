package org.hpcs.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpsExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import org.hpcs.common.api.ApiError;
import org.hpcs.common.api.Json;
import org.hpcs.server.store.AuditLog;
import org.hpcs.server.store.AuditRecord;
import org.hpcs.server.store.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes requests, enforces the body limit, authenticates callers and turns every failure into a
 * JSON error: 4xx for the caller's mistakes, 503 for a failing backend, and a bare 500 with no
 * stack trace for a bug.
 */
public final class HttpApi implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  private static final ObjectMapper JSON = Json.strict();
  private static final String BODY_STATE = "org.hpcs.server.bodyState";

  private final List<Route> routes;
  private final int maxBodyBytes;
  private final NodeAuthenticator nodes;
  private final UserAuthenticator users;
  private final AuditLog audit;
  private final Metrics metrics;

  /** Creates the dispatcher. */
  public HttpApi(
      List<Route> routes,
      int maxBodyBytes,
      NodeAuthenticator nodes,
      UserAuthenticator users,
      AuditLog audit,
      Metrics metrics) {
    this.routes = List.copyOf(routes);
    this.maxBodyBytes = maxBodyBytes;
    this.nodes = nodes;
    this.users = users;
    this.audit = audit;
    this.metrics = metrics;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    long start = System.nanoTime();
    String routeName = "unmatched";
    Response response;
    try {
      Match match = match(exchange);
      routeName = match.route().name();
      response = dispatch(exchange, match);
    } catch (ApiException e) {
      if (e.status() == 405) {
        String path = exchange.getRequestURI().getRawPath();
        exchange.getResponseHeaders().set("Allow", String.join(", ", allowedMethods(path)));
      }
      response = error(e.status(), e.code(), e.getMessage());
    } catch (StoreException e) {
      LOG.error("database failure on {} {}", exchange.getRequestMethod(), routeName, e);
      response = error(503, "database-unavailable", "the server's database failed; retry later");
    } catch (RuntimeException e) {
      LOG.error("internal error on {} {}", exchange.getRequestMethod(), routeName, e);
      response = error(500, "internal-error", "internal server error; the server log has details");
    }
    try {
      if (!drained(exchange)) {
        // The client may still be sending a body the server will not read; closing the
        // connection stops it from reusing a connection that is out of step.
        exchange.getResponseHeaders().set("Connection", "close");
      }
      write(exchange, response);
    } finally {
      exchange.close();
      metrics.record(
          routeName, exchange.getRequestMethod(), response.status(), System.nanoTime() - start);
    }
  }

  private record Match(Route route, List<String> params) {}

  private Match match(HttpExchange exchange) throws ApiException {
    String path = exchange.getRequestURI().getRawPath();
    String method = routingMethod(exchange.getRequestMethod());
    boolean pathMatched = false;
    for (Route route : routes) {
      Matcher matcher = route.pattern().matcher(path);
      if (!matcher.matches()) {
        continue;
      }
      pathMatched = true;
      if (route.method().equals(method)) {
        List<String> params = new ArrayList<>();
        for (int i = 1; i <= matcher.groupCount(); i++) {
          params.add(decodePathSegment(matcher.group(i)));
        }
        return new Match(route, params);
      }
    }
    if (pathMatched) {
      throw new ApiException(
          405, "method-not-allowed", exchange.getRequestMethod() + " is not allowed on " + path);
    }
    throw ApiException.notFound(
        "no-such-endpoint", "no endpoint " + path + "; see docs/openapi.yaml");
  }

  /**
   * Returns the method whose route serves the request. HEAD runs the GET route and sends the
   * headers without the body, because an HTTP server must support HEAD wherever it supports GET.
   */
  private static String routingMethod(String method) {
    return method.equals("HEAD") ? "GET" : method;
  }

  /** Returns the methods of the routes whose pattern matches {@code path}, sorted. */
  private List<String> allowedMethods(String path) {
    List<String> methods = new ArrayList<>();
    for (Route route : routes) {
      if (route.pattern().matcher(path).matches()) {
        methods.add(route.method());
        if (route.method().equals("GET")) {
          methods.add("HEAD");
        }
      }
    }
    return methods.stream().distinct().sorted().toList();
  }

  /**
   * Percent-decodes one path segment. {@link URLDecoder} decodes HTML form data, where "+" means a
   * space, so a literal "+" is escaped first.
   */
  private static String decodePathSegment(String raw) {
    return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private Response dispatch(HttpExchange exchange, Match match) throws ApiException {
    byte[] body = readBody(exchange);
    Caller caller = authenticate(exchange, match.route());
    Request request =
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            match.params(),
            query(exchange.getRequestURI().getRawQuery()),
            exchange.getRequestHeaders().getFirst("Content-Type"),
            body,
            caller);
    return match.route().handler().handle(request);
  }

  /**
   * Returns the request's one Authorization header, or null. Two of them are rejected: a proxy and
   * the server could each pick a different one.
   */
  private static String authorization(HttpExchange exchange) throws ApiException {
    List<String> values = exchange.getRequestHeaders().get("Authorization");
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest(
          "authorization-repeated",
          "the request has " + values.size() + " Authorization headers; send exactly one");
    }
    return values.getFirst();
  }

  private Caller authenticate(HttpExchange exchange, Route route) throws ApiException {
    try {
      return switch (route.auth()) {
        case NONE -> new Caller.Anonymous();
        case NODE ->
            nodes.authenticate(
                exchange instanceof HttpsExchange https ? https.getSSLSession() : null);
        case USER -> users.authenticate(authorization(exchange));
        case ADMIN -> requireAdmin(users.authenticate(authorization(exchange)));
      };
    } catch (ApiException e) {
      if (e.status() == 401 || e.status() == 403) {
        audit.append(
            AuditRecord.denied(
                "unauthenticated", "auth " + route.name(), e.code(), e.getMessage()));
      }
      throw e;
    }
  }

  private static Caller requireAdmin(Caller.User user) throws ApiException {
    if (!user.admin()) {
      throw ApiException.forbidden(
          "admin-required",
          "user " + user.username() + " lacks the admin policy for this endpoint");
    }
    return user;
  }

  private byte[] readBody(HttpExchange exchange) throws ApiException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.strip()) > maxBodyBytes) {
          throw tooLarge();
        }
      } catch (NumberFormatException e) {
        throw ApiException.badRequest("invalid-content-length", "Content-Length is not a number");
      }
    }
    byte[] body;
    try {
      body = exchange.getRequestBody().readNBytes(maxBodyBytes + 1);
    } catch (IOException e) {
      // The chunked encoding is broken or the connection was cut mid-body. Closing the stream
      // would drain the rest and can wait for bytes that never come. So the stream stays open,
      // and the reply carries "Connection: close".
      exchange.setAttribute(BODY_STATE, BodyState.BROKEN);
      throw ApiException.badRequest(
          "unreadable-body",
          "cannot read the request body: its chunked encoding is invalid or the connection closed"
              + " early; send the whole body with a valid Content-Length or chunked encoding");
    }
    if (body.length > maxBodyBytes) {
      throw tooLarge();
    }
    exchange.setAttribute(BODY_STATE, BodyState.READ);
    return body;
  }

  /** How far the handler got with the request body. */
  private enum BodyState {
    READ,
    BROKEN
  }

  private ApiException tooLarge() {
    return new ApiException(
        413, "body-too-large", "request body exceeds the limit of " + maxBodyBytes + " bytes");
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&", -1)) {
      String[] parts = pair.split("=", 2);
      String key = URLDecoder.decode(parts[0], StandardCharsets.UTF_8);
      String value = parts.length == 2 ? URLDecoder.decode(parts[1], StandardCharsets.UTF_8) : "";
      query.putIfAbsent(key, value);
    }
    return query;
  }

  private static Response error(int status, String code, String message) {
    return new Response(status, new ApiError(code, message), "application/json");
  }

  /**
   * Reads what is left of the request body, up to the limit; returns false if more remains or the
   * body cannot be read.
   */
  private boolean drained(HttpExchange exchange) {
    Object state = exchange.getAttribute(BODY_STATE);
    if (state != null) {
      return state == BodyState.READ;
    }
    try (InputStream in = exchange.getRequestBody()) {
      return in.skip(maxBodyBytes) < maxBodyBytes || in.read() < 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static void write(HttpExchange exchange, Response response) throws IOException {
    byte[] bytes =
        response.body() instanceof String text
            ? text.getBytes(StandardCharsets.UTF_8)
            : JSON.writeValueAsBytes(response.body());
    exchange.getResponseHeaders().set("Content-Type", response.contentType());
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    if (exchange.getRequestMethod().equals("HEAD")) {
      // The JDK server sends no body for HEAD and expects the length as a plain header.
      exchange.getResponseHeaders().set("Content-Length", Integer.toString(bytes.length));
      exchange.sendResponseHeaders(response.status(), -1);
      return;
    }
    exchange.sendResponseHeaders(response.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }
}
