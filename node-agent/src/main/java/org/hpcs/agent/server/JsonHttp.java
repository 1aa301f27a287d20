package org.hpcs.agent.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/** A small JSON-over-HTTPS client for the HPCS server API. */
final class JsonHttp {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final int MAX_RESPONSE = 1024 * 1024;

  private final URI base;
  private final SSLSocketFactory sockets;
  private final HostnameVerifier hostnames;
  private final Duration timeout;

  /**
   * Creates the client.
   *
   * @param base the server's base URL
   * @param sockets TLS sockets configured with the trust (and client key) to use
   * @param hostnames the host name check: the default for CA-based TLS; with SPIFFE mutual TLS the
   *     trust manager checks the server's SPIFFE ID instead
   * @param timeout connect and read timeout
   */
  JsonHttp(URI base, SSLSocketFactory sockets, HostnameVerifier hostnames, Duration timeout) {
    this.base = base;
    this.sockets = sockets;
    this.hostnames = hostnames;
    this.timeout = timeout;
  }

  /** Posts a JSON body and returns the parsed JSON reply (a NullNode for an empty one). */
  JsonNode post(String path, Object body) throws ServerException {
    String what = "POST " + path;
    try {
      URL url = base.resolve(path).toURL();
      HttpsURLConnection connection = (HttpsURLConnection) url.openConnection();
      connection.setSSLSocketFactory(sockets);
      connection.setHostnameVerifier(hostnames);
      connection.setConnectTimeout((int) timeout.toMillis());
      connection.setReadTimeout((int) timeout.toMillis());
      connection.setRequestMethod("POST");
      connection.setDoOutput(true);
      connection.setRequestProperty("Content-Type", "application/json");
      connection.setRequestProperty("Accept", "application/json");
      try (OutputStream out = connection.getOutputStream()) {
        MAPPER.writeValue(out, body);
      }
      int status = connection.getResponseCode();
      InputStream stream =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      byte[] reply = stream == null ? new byte[0] : readLimited(stream);
      if (status < 200 || status >= 300) {
        throw new ServerException(
            what + " to " + base + " returned HTTP " + status + errorText(reply));
      }
      return reply.length == 0 ? NullNode.getInstance() : MAPPER.readTree(reply);
    } catch (IOException e) {
      throw new ServerException(what + " to " + base + " failed: " + e.getMessage(), e);
    }
  }

  private static byte[] readLimited(InputStream stream) throws IOException {
    try (stream) {
      byte[] data = stream.readNBytes(MAX_RESPONSE + 1);
      if (data.length > MAX_RESPONSE) {
        throw new IOException("response exceeds " + MAX_RESPONSE + " bytes");
      }
      return data;
    }
  }

  private static String errorText(byte[] reply) {
    try {
      JsonNode node = MAPPER.readTree(reply);
      String message =
          node == null ? "" : node.path("error").asText(node.path("message").asText(""));
      return message.isEmpty()
          ? ""
          : ": " + (message.length() > 300 ? message.substring(0, 300) : message);
    } catch (IOException e) {
      return "";
    }
  }
}
