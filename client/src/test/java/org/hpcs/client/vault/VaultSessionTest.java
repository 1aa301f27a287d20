package org.hpcs.client.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hpcs.client.HpcsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request paths and error texts of {@link VaultSession}. The stack's OpenBao has a one-segment
 * mount only, so a loopback stand-in records the paths a multi-segment mount produces.
 */
class VaultSessionTest {
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private int status = 204;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
          byte[] body = "{\"errors\":[\"permission denied\"]}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(status, status == 204 ? -1 : body.length);
          if (status != 204) {
            exchange.getResponseBody().write(body);
          }
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void writeField_multiSegmentMount_dataAfterWholeMount() throws Exception {
    VaultSession vault = VaultSession.open(address(), "token", "secret/hpcs");

    vault.writeField("secret/hpcs", "owners/o/bundles/b1", "identity", "value");

    assertThat(requests).containsExactly("POST /v1/secret/hpcs/data/owners/o/bundles/b1");
  }

  @Test
  void writeField_forbidden_errorNamesMountPathAndStatus() throws Exception {
    status = 403;
    VaultSession vault = VaultSession.open(address(), "token", "kv-hpcs");

    assertThatThrownBy(() -> vault.writeField("kv-hpcs", "owners/o/bundles/b1", "identity", "v"))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("HTTP 403")
        .hasMessageContaining("kv-hpcs/data/owners/o/bundles/b1")
        .hasMessageContaining("mount kv-hpcs")
        .hasMessageNotContaining("token");
  }

  private URI address() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }
}
