package org.hpcs.agent.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;
import org.hpcs.common.api.ApiError;
import org.hpcs.common.api.Json;

/** A small JSON-over-HTTPS client for the HPCS server API. */
final class JsonHttp {
  private static final ObjectMapper MAPPER = Json.lenient();
  private static final int MAX_RESPONSE = 1024 * 1024;
  private static final int MAX_MESSAGE = 300;
  private static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.US_ASCII);

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

  /**
   * Posts a JSON body and reads the JSON answer as the given type.
   *
   * @throws ServerException for a transport failure, an answer outside 2xx (with the server's
   *     status and error code) or an answer that does not parse as the type
   */
  <T> T post(String path, Object body, Class<T> type) throws ServerException {
    String what = "POST " + path + " to " + base;
    int status;
    byte[] reply;
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
      status = connection.getResponseCode();
      InputStream stream =
          status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      reply = stream == null ? new byte[0] : readLimited(stream);
    } catch (IOException e) {
      throw new ServerException(what + " failed: " + e.getMessage(), e);
    }
    if (status < 200 || status >= 300) {
      throw error(what, status, reply);
    }
    try {
      return MAPPER.readValue(reply.length == 0 ? EMPTY_OBJECT : reply, type);
    } catch (IOException e) {
      throw new ServerException(
          what + " returned HTTP " + status + " with a body that is not a valid answer", e);
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

  /** Turns an error answer into an exception that carries the server's code and message. */
  private static ServerException error(String what, int status, byte[] reply) {
    ApiError error;
    try {
      error = MAPPER.readValue(reply, ApiError.class);
    } catch (IOException e) {
      error = new ApiError("", "");
    }
    String code = error.error() == null ? "" : error.error();
    String message = error.message() == null ? "" : shorten(error.message());
    return new ServerException(
        status,
        code,
        what
            + " returned HTTP "
            + status
            + (code.isEmpty() ? "" : " " + code)
            + (message.isEmpty() ? "" : ": " + message));
  }

  private static String shorten(String text) {
    return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "..." : text;
  }
}
