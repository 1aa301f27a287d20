package org.hpcs.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.hpcs.common.api.Json;
import org.hpcs.server.testing.TestPki;
import org.hpcs.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile requests written byte for byte on a TLS socket, which an HTTP client library would refuse
 * to send: odd methods, raw paths, JSON at the parser's limits and odd node certificates.
 */
class HttpHardeningTest {
  private static final ObjectMapper JSON = Json.lenient();

  /** One sample line of the Prometheus text format with quoted, escaped label values. */
  private static final Pattern SAMPLE =
      Pattern.compile("[a-z_]+(\\{([a-z_]+=\"([^\"\\\\\\n]|\\\\.)*\",?)*})? \\S+");

  private static final Pattern CONTENT_LENGTH =
      Pattern.compile("(?i)\r\ncontent-length: *(\\d+)\r\n");

  @TempDir static Path temp;

  private static TestPki pki;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    pki = TestPki.create(temp);
    issueLeaf("ca-flagged-n1", "basicConstraints=critical,CA:TRUE", "keyCertSign,digitalSignature");
    server = TestServer.start(temp, pki);
    server.enrol("n1");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A raw response: status, the header block and the body. */
  private record Raw(int status, String headers, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  @Test
  void metrics_unknownMethods_oneLabelValidFormat() throws Exception {
    send(null, "FOO1 /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    send(null, "FOO2 /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    send(null, "GE\"T /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    String metrics = server.user("GET", "/metrics", null, null).text();

    assertThat(metrics).doesNotContain("FOO1").doesNotContain("FOO2").doesNotContain("GE\"T");
    assertThat(metrics).contains("route=\"unmatched\",method=\"other\",status=\"405\"} ");
    for (String line : metrics.lines().filter(l -> !l.startsWith("#")).toList()) {
      assertThat(line).matches(SAMPLE);
    }
  }

  @Test
  void wrongMethod_405ListsAllowedMethods() throws Exception {
    Raw reply = send(null, "PUT /v1/grants HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.headers()).containsIgnoringCase("\r\nAllow: GET, HEAD, POST\r\n");
    assertThat(reply.json().path("error").asText()).isEqualTo("method-not-allowed");
  }

  @Test
  void authorization_twoHeaders_400() throws Exception {
    String request =
        String.join(
            "\r\n",
            "GET /v1/grants HTTP/1.1",
            "Host: x",
            "Authorization: Bearer hvs.one",
            "Authorization: Bearer hvs.two",
            "Connection: close",
            "",
            "");
    Raw reply = send(null, request);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("authorization-repeated");
    assertThat(reply.json().path("message").asText()).contains("2 Authorization headers");
  }

  @Test
  void head_getRoute_headersWithoutBody() throws Exception {
    Raw reply = send(null, "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.headers()).containsIgnoringCase("\r\nContent-Length: 15\r\n");
    assertThat(reply.headers()).containsIgnoringCase("\r\nContent-Type: application/json\r\n");
    assertThat(reply.body()).isEmpty();
  }

  @Test
  void head_postOnlyRoute_405() throws Exception {
    Raw reply = send(null, "HEAD /v1/nodes/enrol HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");

    assertThat(reply.status()).isEqualTo(405);
    assertThat(reply.headers()).containsIgnoringCase("\r\nAllow: POST\r\n");
    assertThat(reply.body()).isEmpty();
  }

  @Test
  void body_invalidChunkSize_400() throws Exception {
    // "ZZ" is no hex chunk size, and the next line reads as a size of 0xabc bytes that never
    // come. The reply must arrive without the server waiting for them.
    String request =
        "POST /v1/grants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + TestServer.OWNER
            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "ZZ\r\nabc\r\n0\r\n\r\n";

    Raw reply = sendKeepingConnection(request);

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("unreadable-body");
    assertThat(reply.json().path("message").asText()).contains("chunked encoding");
    assertThat(reply.headers()).containsIgnoringCase("\r\nConnection: close\r\n");
  }

  @Test
  void pathParameter_plusSign_keptLiterally() throws Exception {
    Raw reply = send(null, request("DELETE", "/v1/grants/a+b", TestServer.OWNER, null, null));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("message").asText()).contains("'a+b'");
  }

  @Test
  void pathParameter_encodedSlashes_400NamingValue() throws Exception {
    Raw reply =
        send(null, request("DELETE", "/v1/grants/..%2F..%2Fetc", TestServer.OWNER, null, null));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("invalid-field");
    assertThat(reply.json().path("message").asText()).contains("'../../etc'");
  }

  @Test
  void body_nestedDeeperThanParserLimit_400NamingLimit() throws Exception {
    String body = "{\"a\":".repeat(3000) + "1" + "}".repeat(3000);

    Raw reply =
        send(null, request("POST", "/v1/grants", TestServer.OWNER, "application/json", body));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("json-too-complex");
    assertThat(reply.json().path("message").asText()).contains("nesting depth");
    assertThat(reply.body()).doesNotContain("StreamReadConstraints");
  }

  @Test
  void body_numberLongerThanParserLimit_400NamingLimit() throws Exception {
    String body = "{\"node\":\"n1\",\"ttlSeconds\":" + "9".repeat(5000) + "}";

    Raw reply =
        send(
            null,
            request("POST", "/v1/admin/join-tokens", TestServer.ADMIN, "application/json", body));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("json-too-complex");
    assertThat(reply.json().path("message").asText()).contains("Number value length");
  }

  @Test
  void body_numberOrBooleanForTextField_400NamingField() throws Exception {
    for (String value : List.of("123", "true", "1.5")) {
      String body = "{\"node\":" + value + ",\"attestor\":\"join-token\"}";

      Raw reply =
          send(null, request("POST", "/v1/nodes/challenge", null, "application/json", body));

      assertThat(reply.status()).as(value).isEqualTo(400);
      assertThat(reply.json().path("error").asText()).as(value).isEqualTo("invalid-field");
      assertThat(reply.json().path("message").asText()).as(value).contains("'node'");
    }
  }

  @Test
  void body_stringForNumberField_400NamingField() throws Exception {
    String body = "{\"node\":\"n1\",\"ttlSeconds\":\"60\"}";

    Raw reply =
        send(
            null,
            request("POST", "/v1/admin/join-tokens", TestServer.ADMIN, "application/json", body));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("invalid-field");
    assertThat(reply.json().path("message").asText()).contains("'ttlSeconds'");
  }

  @Test
  void body_numberForTimestamp_400NamingField() throws Exception {
    long millis = System.currentTimeMillis() + 86_400_000L;
    String body = "{\"bundleId\":\"b\",\"user\":\"alice\",\"expiresAt\":" + millis + "}";

    Raw reply =
        send(null, request("POST", "/v1/grants", TestServer.OWNER, "application/json", body));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("invalid-field");
    assertThat(reply.json().path("message").asText()).contains("'expiresAt'");
  }

  @Test
  void body_timestampBeyondYear9999_400NotServerError() throws Exception {
    server.registerBundle(TestServer.OWNER, "owner", "far-future");
    String body =
        "{\"bundleId\":\"far-future\",\"user\":\"alice\",\"expiresAt\":\"+999999999-01-01T00:00:00Z\"}";

    Raw reply =
        send(null, request("POST", "/v1/grants", TestServer.OWNER, "application/json", body));

    assertThat(reply.status()).isEqualTo(400);
    assertThat(reply.json().path("error").asText()).isEqualTo("invalid-field");
    assertThat(reply.json().path("message").asText()).contains("'expiresAt'");
  }

  @Test
  void body_contentTypeWithCharsetVariants_accepted() throws Exception {
    for (String type :
        List.of("application/json; charset=utf-8", "Application/JSON ;charset=UTF-8")) {
      Raw reply = send(null, request("POST", "/v1/grants", TestServer.OWNER, type, "{}"));

      assertThat(reply.status()).as(type).isEqualTo(400);
      assertThat(reply.json().path("error").asText()).as(type).isEqualTo("missing-field");
    }
  }

  @Test
  void nodeRoute_caFlaggedCertificate_403() throws Exception {
    Raw reply =
        send(
            "ca-flagged-n1",
            request("POST", "/v1/jobs/1/end", null, "application/json", "{\"node\":\"n1\"}"));

    assertThat(reply.status()).isEqualTo(403);
    assertThat(reply.json().path("error").asText()).isEqualTo("not-a-node-identity");
    assertThat(reply.json().path("message").asText()).contains("CA");
  }

  private static String request(
      String method, String path, String bearer, String contentType, String body) {
    StringBuilder text = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: x\r\n");
    if (bearer != null) {
      text.append("Authorization: Bearer ").append(bearer).append("\r\n");
    }
    if (contentType != null) {
      text.append("Content-Type: ").append(contentType).append("\r\n");
    }
    byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    text.append("Content-Length: ").append(bytes.length).append("\r\n");
    text.append("Connection: close\r\n\r\n");
    return text + new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static Raw send(String leaf, String request) throws Exception {
    try (SSLSocket socket =
        (SSLSocket)
            pki.clientContext(leaf)
                .getSocketFactory()
                .createSocket("127.0.0.1", server.base().getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int end = text.indexOf("\r\n\r\n");
      int status = Integer.parseInt(text.substring(9, 12));
      return new Raw(status, text.substring(0, end + 2), text.substring(end + 4));
    }
  }

  /**
   * Sends the request and reads one response by its Content-Length, without waiting for the server
   * to close the connection.
   */
  private static Raw sendKeepingConnection(String request) throws Exception {
    try (SSLSocket socket =
        (SSLSocket)
            pki.clientContext(null)
                .getSocketFactory()
                .createSocket("127.0.0.1", server.base().getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder headers = new StringBuilder();
      while (headers.indexOf("\r\n\r\n") < 0) {
        int next = in.read();
        if (next < 0) {
          throw new IllegalStateException("connection closed before the response headers");
        }
        headers.append((char) next);
      }
      Matcher length = CONTENT_LENGTH.matcher(headers);
      if (!length.find()) {
        throw new IllegalStateException("response without Content-Length: " + headers);
      }
      byte[] body = in.readNBytes(Integer.parseInt(length.group(1)));
      int status = Integer.parseInt(headers.substring(9, 12));
      return new Raw(
          status,
          headers.substring(0, headers.length() - 2),
          new String(body, StandardCharsets.UTF_8));
    }
  }

  private static void issueLeaf(String name, String basicConstraints, String keyUsage)
      throws Exception {
    Files.writeString(
        temp.resolve(name + ".ext"),
        basicConstraints
            + "\nkeyUsage=critical,"
            + keyUsage
            + "\nsubjectAltName=URI:spiffe://hpcs.test/hpcs/node/n1\n",
        StandardCharsets.US_ASCII);
    openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        name + ".key",
        "-subj",
        "/O=HPCS test",
        "-out",
        name + ".csr");
    openssl(
        "x509",
        "-req",
        "-in",
        name + ".csr",
        "-CA",
        "spiffe-ca.crt",
        "-CAkey",
        "spiffe-ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        name + ".ext",
        "-out",
        name + ".crt");
  }

  private static void openssl(String... arguments) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(arguments));
    Process process =
        new ProcessBuilder(command).directory(temp.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(command + " failed: " + output);
    }
  }
}
