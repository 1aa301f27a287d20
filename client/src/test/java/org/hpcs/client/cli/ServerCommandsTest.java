package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hpcs.client.vault.TokenCache;
import org.hpcs.common.bundle.BundleKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Argument handling and local failures of the commands that call the HPCS server. Calls that reach
 * a server are tested against the real one in SecuredJobFlowIT.
 */
class ServerCommandsTest {
  @TempDir Path dir;

  private Path config;

  @BeforeEach
  void writeConfig() throws Exception {
    config = config("server.url=https://127.0.0.1:1\n");
    TokenCache.write(dir.resolve("vault-token"), "hvs.test-token");
  }

  private Path config(String extra) throws Exception {
    return Files.writeString(
        dir.resolve("config.properties"),
        "token.file=" + dir.resolve("vault-token") + "\n" + extra,
        StandardCharsets.UTF_8);
  }

  private CliRunner.Result run(String... args) {
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--config";
    all[args.length + 1] = config.toString();
    return CliRunner.run(all);
  }

  @Test
  void grant_invalidUser_usageError() {
    CliRunner.Result result = run("grant", "b-1", "../root");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("hpcs: error: invalid USER '../root'");
    assertThat(result.err()).contains("hpcs: hint: usage: hpcs grant");
  }

  @Test
  void grant_missingUser_usageError() {
    CliRunner.Result result = run("grant", "b-1");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing required parameter: 'USER'");
  }

  @Test
  void grant_unparsableExpiry_usageErrorNamingValue() {
    CliRunner.Result result = run("grant", "b-1", "alice", "--expires", "tomorrow");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("invalid --expires value 'tomorrow'").contains("7d");
  }

  @Test
  void grant_pastExpiry_usageError() {
    CliRunner.Result result = run("grant", "b-1", "alice", "--expires", "2020-01-01T00:00:00Z");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("is not in the future");
  }

  @Test
  void grant_invalidPartition_usageError() {
    CliRunner.Result result = run("grant", "b-1", "alice", "--partition", "a b");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("invalid --partition 'a b'");
  }

  @Test
  void grant_manifestPathMissing_usageError() {
    CliRunner.Result result = run("grant", dir.resolve("x.manifest.json").toString(), "alice");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("x.manifest.json not found");
  }

  @Test
  void grant_serverUnreachable_exit1WithHint() {
    CliRunner.Result result = run("grant", "b-1", "alice");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("hpcs: error: granting bundle b-1 to alice failed")
        .contains("https://127.0.0.1:1 cannot be reached")
        .contains("hpcs: hint: check server.url");
    assertThat(result.err()).doesNotContain("hvs.test-token");
  }

  @Test
  void grants_noServerUrl_exit1NamingSetting() throws Exception {
    config = config("");

    CliRunner.Result result = run("grants");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("hpcs grants needs server.url");
  }

  @Test
  void grants_plainHttpServerUrl_exit1() throws Exception {
    config = config("server.url=http://127.0.0.1:8443\n");

    CliRunner.Result result = run("grants");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("server.url \"http://127.0.0.1:8443\" must be an https://");
  }

  @Test
  void audit_caFileMissing_exit1NamingFile() throws Exception {
    config = config("server.url=https://127.0.0.1:1\nserver.ca-file=" + dir.resolve("ca.pem"));

    CliRunner.Result result = run("audit");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("server.ca-file " + dir.resolve("ca.pem") + " not found");
  }

  @Test
  void audit_caFileNotCertificate_exit1() throws Exception {
    Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
    config = config("server.url=https://127.0.0.1:1\nserver.ca-file=" + ca);

    CliRunner.Result result = run("audit");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("contains no").contains("BEGIN CERTIFICATE");
  }

  @Test
  void audit_invalidJobId_usageError() {
    CliRunner.Result result = run("audit", "--job", "12;rm");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("invalid job id '12;rm'");
  }

  @Test
  void revoke_invalidGrantId_usageError() {
    CliRunner.Result result = run("revoke", "g/../x");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("invalid GRANT_ID 'g/../x'");
  }

  @Test
  void revoke_notLoggedIn_exit1WithLoginHint() throws Exception {
    Files.delete(dir.resolve("vault-token"));

    CliRunner.Result result = run("revoke", "g-1");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("not logged in").contains("hpcs: hint: run 'hpcs login'");
  }

  @Test
  void bundleRegister_manifestMissing_exit1() {
    CliRunner.Result result = run("bundle", "register", dir.resolve("none").toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("manifest " + dir.resolve("none.manifest.json"));
  }

  @Test
  void bundleRegister_manifestWithUnknownField_exit1NamingField() throws Exception {
    Path manifest = TestBundles.manifest(dir, "image", BundleKind.CONTAINER);
    String text = Files.readString(manifest).replaceFirst("\\{", "{\"extra\":1,");
    Files.writeString(manifest, text);

    CliRunner.Result result = run("bundle", "register", manifest.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("unknown field \"extra\"");
  }

  @Test
  void bundleCreate_noServerUrl_failsBeforeWork() throws Exception {
    config = config("vault.url=http://127.0.0.1:1\n");
    Path data = Files.writeString(dir.resolve("d.txt"), "x");

    CliRunner.Result result =
        run("bundle", "create", "--data", data.toString(), "--out-dir", dir.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("hpcs bundle create needs server.url");
    assertThat(dir.resolve("d.age")).doesNotExist();
  }
}
