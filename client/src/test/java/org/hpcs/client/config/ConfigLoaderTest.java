package org.hpcs.client.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.hpcs.client.HpcsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void load_severalBadKeys_allReportedAtOnce() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("config.properties"),
            """
            vault.url=ftp://x
            ssh.port=70000
            ssh.hots=h
            vault.auth=kerberos
            recipients.output=age1bad
            ssh.key=relative/key
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("vault.url \"ftp://x\"")
        .hasMessageContaining("ssh.port \"70000\"")
        .hasMessageContaining("unknown key \"ssh.hots\"")
        .hasMessageContaining("vault.auth \"kerberos\"")
        .hasMessageContaining("recipients.output")
        .hasMessageContaining("ssh.key \"relative/key\"");
  }

  @Test
  void load_keySetTwice_rejectedNamingKey() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("config.properties"),
            """
            ssh.port=2222
            ssh.host=a.example
            ssh.port=22
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("key \"ssh.port\" is set more than once")
        .message()
        .doesNotContain("ssh.host");
  }

  @Test
  void load_validFile_valuesParsed() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("c.properties"),
            """
            vault.url=http://127.0.0.1:8200
            ssh.host=127.0.0.1
            ssh.port=2222
            ssh.user=alice
            vault.kv.mount=secret/hpcs/
            """);

    ClientConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.vaultUrl()).hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(8200));
    assertThat(config.sshPort()).isEqualTo(2222);
    assertThat(config.kvMount()).isEqualTo("secret/hpcs");
    assertThat(config.vaultAuth()).isEqualTo("userpass");
  }

  @Test
  void resolvePath_environmentVariable_usedWithoutOption() {
    Path path = ConfigLoader.resolvePath(null, Map.of("HPCS_CONFIG", "/etc/hpcs/site.properties"));

    assertThat(path).isEqualTo(Path.of("/etc/hpcs/site.properties"));
  }

  @Test
  void load_missingExplicitFile_rejected() {
    assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("none.properties"), Map.of()))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("none.properties not found");
  }

  @Test
  void load_serverSettings_parsed() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("server.properties"),
            """
            server.url=https://hpcs.example:8443
            server.ca-file=/etc/hpcs/server-ca.crt
            """);

    ClientConfig config = ConfigLoader.load(file, Map.of());

    assertThat(config.serverUrl()).hasValueSatisfying(u -> assertThat(u.getPort()).isEqualTo(8443));
    assertThat(config.serverCaFile()).hasValue(Path.of("/etc/hpcs/server-ca.crt"));
  }

  @Test
  void load_plainHttpServerAndRelativeCaFile_bothReported() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("bad-server.properties"),
            """
            server.url=http://hpcs.example:8443
            server.ca-file=ca.pem
            """);

    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("server.url \"http://hpcs.example:8443\" must be an https:// URL")
        .hasMessageContaining("server.ca-file \"ca.pem\" must be an absolute path");
  }
}
