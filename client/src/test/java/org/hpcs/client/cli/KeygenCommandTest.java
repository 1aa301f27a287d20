package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
  void keygen_fullFileSystem_keepsNoKeyFile() throws Exception {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting a tmpfs needs root");
    Path keys = Files.createDirectory(dir.resolve("keys"));
    // A 4 KiB tmpfs has room for the first key file only, so the second write fails.
    mountOrUnmount("mount", "-t", "tmpfs", "-o", "size=4k,mode=700", "tmpfs", keys.toString());
    try {
      CliRunner.Result result = CliRunner.run("keygen", "--dir", keys.toString());

      assertThat(result.exitCode()).isEqualTo(1);
      assertThat(result.err())
          .startsWith("hpcs: error: failed to write the key files in " + keys)
          .contains("No space left on device")
          .doesNotContain("--stacktrace");
      try (var files = Files.list(keys)) {
        assertThat(files).isEmpty();
      }
    } finally {
      mountOrUnmount("umount", keys.toString());
    }
  }

  @Test
  void keygen_dirIsFile_exit1NamesIt() throws Exception {
    Path file = Files.writeString(dir.resolve("keys"), "not a directory");

    CliRunner.Result result = CliRunner.run("keygen", "--dir", file.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .startsWith("hpcs: error: key directory " + file + " is not a directory");
    assertThat(Files.readString(file)).isEqualTo("not a directory");
  }

  private static void mountOrUnmount(String... command) throws Exception {
    Process process = new ProcessBuilder(command).inheritIO().start();
    assertThat(process.waitFor()).as(String.join(" ", command)).isZero();
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
