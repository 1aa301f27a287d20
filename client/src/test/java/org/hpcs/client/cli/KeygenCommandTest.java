package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.hpcs.client.HpcsException;
import org.hpcs.client.vault.TokenCache;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeygenCommandTest {
  @TempDir Path dir;

  @Test
  void keygen_newDirectory_privateFilesMode0600() throws Exception {
    Path keys = dir.resolve("keys");

    CliRunner.Result result = CliRunner.run("keygen", "--dir", keys.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(mode(keys.resolve("output-identity.txt"))).isEqualTo("rw-------");
    assertThat(mode(keys.resolve("signing-ed25519.pem"))).isEqualTo("rw-------");
    assertThat(mode(keys)).isEqualTo("rwx------");
    assertThat(result.out()).contains("output recipient: age1");
    assertThat(result.out()).doesNotContain("AGE-SECRET-KEY");
  }

  @Test
  void keygen_existingKeys_refusesAndKeepsThem() throws Exception {
    Path keys = dir.resolve("keys");
    CliRunner.run("keygen", "--dir", keys.toString());
    String before = Files.readString(keys.resolve("output-identity.txt"));

    CliRunner.Result again = CliRunner.run("keygen", "--dir", keys.toString());

    assertThat(again.exitCode()).isEqualTo(1);
    assertThat(again.err()).contains("key files exist already");
    assertThat(Files.readString(keys.resolve("output-identity.txt"))).isEqualTo(before);
  }

  @Test
  void tokenCache_written_mode0600() throws Exception {
    Path file = dir.resolve("cfg/vault-token");

    TokenCache.write(file, "hvs.example");

    assertThat(mode(file)).isEqualTo("rw-------");
    assertThat(TokenCache.read(file)).isEqualTo("hvs.example");
  }

  @Test
  void tokenCache_readableByOthers_rejected() throws Exception {
    Path file = dir.resolve("vault-token");
    TokenCache.write(file, "hvs.example");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    assertThatThrownBy(() -> TokenCache.read(file))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("accessible to other users")
        .hasMessageNotContaining("hvs.example");
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
