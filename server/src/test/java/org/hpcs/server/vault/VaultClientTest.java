package org.hpcs.server.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import org.junit.jupiter.api.Test;

class VaultClientTest {
  @Test
  void lookupSelf_vaultDown_noExceptionClass() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    URI address = URI.create("http://127.0.0.1:" + port);
    try (HttpClient http = HttpClient.newHttpClient()) {
      VaultClient vault = new VaultClient(address, http, () -> "hvs.server-token-0001");

      assertThatThrownBy(() -> vault.lookupSelf("hvs.caller-token-0001"))
          .isInstanceOf(VaultException.class)
          .hasMessageContaining(address.toString())
          .hasMessageContaining("auth/token/lookup-self")
          .hasMessageContaining("connection refused")
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("Exception"))
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hvs."));
    }
  }
}
