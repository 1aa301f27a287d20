package org.hpcs.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import org.hpcs.server.testing.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path temp;

  private Map<String, String> valid() throws Exception {
    TestPki pki = TestPki.create(temp);
    Map<String, String> values = new HashMap<>();
    values.put("tls.certFile", pki.file("server.crt").toString());
    values.put("tls.keyFile", pki.file("server.key").toString());
    values.put("trustDomain", "hpcs.test");
    values.put("vault.addr", "http://127.0.0.1:8200");
    values.put("vault.tokenFile", privateFile("vault-token", "hvs.token-for-tests").toString());
    values.put("spire.socketPath", "/run/spire/api.sock");
    return values;
  }

  private Path privateFile(String name, String content) throws Exception {
    Path file = Files.writeString(temp.resolve(name), content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    return file;
  }

  @Test
  void parse_unusableValues_allReportedTogether() throws Exception {
    Map<String, String> values = valid();
    Path openToken = Files.writeString(temp.resolve("open-token"), "hvs.token-for-tests");
    Files.setPosixFilePermissions(openToken, PosixFilePermissions.fromString("rw-r--r--"));
    values.put("listen.host", "not a host!");
    values.put("tls.keyFile", values.get("tls.certFile"));
    values.put("tls.certFile", values.get("vault.tokenFile"));
    values.put("vault.tokenFile", openToken.toString());
    values.put("db.url", "jdbc:sqlite:" + temp.resolve("missing-dir/server.db"));
    values.put("db.passwordFile", openToken.toString());
    values.put("vault.addr", "http:vault");
    values.put("vault.userLoginPaths", "auth/");
    values.put("spire.socketPath", "run/api.sock");
    values.put("enrol.attestors", "join-token, no-such-attestor");
    values.put("spire.serverBin", temp.resolve("no-such-dir/spire-server").toString());

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("server.properties", values));

    assertThat(e.problems()).hasSize(11);
    assertThat(e.getMessage()).contains("listen.host: 'not a host!' is not a host name");
    assertThat(e.getMessage()).contains("tls.certFile: file " + values.get("tls.certFile"));
    assertThat(e.getMessage()).contains("tls.keyFile: " + values.get("tls.keyFile"));
    assertThat(e.getMessage()).contains("vault.tokenFile: file " + openToken + " is readable");
    assertThat(e.getMessage()).contains("chmod 600 " + openToken);
    assertThat(e.getMessage()).contains("db.passwordFile: file " + openToken + " is readable");
    assertThat(e.getMessage()).contains("db.url: directory " + temp.resolve("missing-dir"));
    assertThat(e.getMessage()).contains("vault.addr: 'http:vault' names no host");
    assertThat(e.getMessage()).contains("vault.userLoginPaths: 'auth/' must look like");
    assertThat(e.getMessage()).contains("spire.socketPath: 'run/api.sock' is a relative path");
    assertThat(e.getMessage()).contains("attestor 'no-such-attestor' is not installed");
    assertThat(e.getMessage()).contains("spire.serverBin: " + temp.resolve("no-such-dir"));
    assertThat(e.getMessage()).doesNotContain("hvs.token-for-tests");
  }

  @Test
  void parse_tokenLoginPath_rejected() throws Exception {
    Map<String, String> values = valid();
    values.put("vault.userLoginPaths", "auth/userpass/login/, auth/token/create/login/");

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("server.properties", values));

    assertThat(e.problems())
        .containsExactly(
            "vault.userLoginPaths: 'auth/token/create/login/' must look like auth/<mount>/login/"
                + " for a login method such as userpass");
  }

  @Test
  void parse_vaultAddressWithPath_rejected() throws Exception {
    Map<String, String> values = valid();
    values.put("vault.addr", "https://vault.example:8200/v1");

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("server.properties", values));

    assertThat(e.problems()).hasSize(1);
    assertThat(e.problems().get(0))
        .startsWith("vault.addr: 'https://vault.example:8200/v1' must be");
  }

  @Test
  void parse_minimalFile_appliesDefaults() throws Exception {
    ServerConfig config = ConfigLoader.parse("test", valid());

    assertThat(config.listenPort()).isEqualTo(8443);
    assertThat(config.maxBodyBytes()).isEqualTo(65536);
    assertThat(config.kvMount()).isEqualTo("kv-hpcs");
    assertThat(config.jwtAudience()).isEqualTo("hpcs-vault");
    assertThat(config.attestorNames()).containsExactly("join-token");
  }

  @Test
  void load_keySetTwiceAndBadValue_bothReported() throws Exception {
    Map<String, String> values = valid();
    StringBuilder text = new StringBuilder();
    values.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    text.append("listen.port=http\ntrustDomain=other.test\n");
    Path file = Files.writeString(temp.resolve("server.properties"), text);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

    assertThat(e.problems())
        .containsExactly(
            "trustDomain: set more than once; keep one line for it",
            "listen.port: 'http' is not an integer");
  }

  @Test
  void load_keySetTwice_rejectedEvenIfValid() throws Exception {
    StringBuilder text = new StringBuilder();
    valid().forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
    text.append("trustDomain=hpcs.test\n");
    Path file = Files.writeString(temp.resolve("server.properties"), text);

    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(file));

    assertThat(e.problems())
        .containsExactly("trustDomain: set more than once; keep one line for it");
  }

  @Test
  void parse_manyProblems_reportsEveryOneByKey() throws Exception {
    Map<String, String> values = valid();
    values.remove("trustDomain");
    values.put("listen.port", "http");
    values.put("db.poolSize", "0");
    values.put("vault.addr", "ftp://vault");
    values.put("vault.kvMount", "kv//hpcs");
    values.put("tls.keyFile", temp.resolve("missing.key").toString());
    values.put("db.url", "jdbc:mysql://x/y");
    values.put("listne.host", "0.0.0.0");
    values.put("attestor.tpm-devid.caFile", "/etc/ca.pem");

    ConfigException e =
        assertThrows(ConfigException.class, () -> ConfigLoader.parse("server.properties", values));

    assertThat(e.problems()).hasSize(9);
    assertThat(e.getMessage())
        .contains("server.properties")
        .contains("trustDomain: missing")
        .contains("listen.port: 'http' is not an integer")
        .contains("db.poolSize: 0 is out of range")
        .contains("vault.addr")
        .contains("vault.kvMount")
        .contains("missing.key")
        .contains("db.url")
        .contains("listne.host: unknown key")
        .contains("attestor.tpm-devid.caFile");
  }

  @Test
  void load_attestorSettings_groupedByName() throws Exception {
    Map<String, String> values = valid();
    values.put("enrol.attestors", "join-token, tpm-devid");
    values.put("attestor.tpm-devid.caFile", "/etc/ca.pem");
    StringBuilder text = new StringBuilder();
    values.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
    Path file = Files.writeString(temp.resolve("server.properties"), text);

    ServerConfig config = ConfigLoader.load(file);

    assertThat(config.attestors().get("tpm-devid")).containsEntry("caFile", "/etc/ca.pem");
    assertThat(config.attestors().get("join-token")).isEmpty();
  }
}
