package org.hpcs.client.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.hpcs.client.HpcsException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshKeyFormatTest {
  @TempDir Path dir;

  @Test
  void check_ed25519OpenSsh_acceptedAndLoadable() throws Exception {
    Path key = keygen("id_ed25519", "-t", "ed25519", "-N", "");

    SshKeyFormat format = SshKeyFormat.check(key);

    assertThat(format).isEqualTo(new SshKeyFormat("OpenSSH", "ssh-ed25519"));
    try (InputStream in = Files.newInputStream(key)) {
      Iterable<KeyPair> pairs =
          SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(key.toString()), in, null);
      assertThat(pairs.iterator().next().getPublic().getAlgorithm()).isIn("EdDSA", "Ed25519");
    }
  }

  @Test
  void check_openSshWithPassphrase_rejectedNamingFormats() throws Exception {
    Path key = keygen("id_rsa", "-t", "rsa", "-b", "2048", "-N", "secret-passphrase");

    assertThatThrownBy(() -> SshKeyFormat.check(key))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining(
            "is OpenSSH ssh-rsa key protected by a passphrase (cipher aes256-ctr)")
        .hasMessageContaining("hpcs needs an unencrypted OpenSSH private key")
        .hasMessageNotContaining("asn1");
  }

  @Test
  void check_pemRsa_accepted() throws Exception {
    Path key = keygen("id_pem", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "");

    assertThat(SshKeyFormat.check(key)).isEqualTo(new SshKeyFormat("PEM RSA PRIVATE KEY", "rsa"));
  }

  @Test
  void check_pemRsaWithPassphrase_rejected() throws Exception {
    Path key = keygen("id_pem_pw", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "secret-pass");

    assertThatThrownBy(() -> SshKeyFormat.check(key))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("PEM RSA PRIVATE KEY with a passphrase");
  }

  @Test
  void check_publicKeyFile_rejected() throws Exception {
    Path key = keygen("id_pub", "-t", "ed25519", "-N", "");

    assertThatThrownBy(() -> SshKeyFormat.check(Path.of(key + ".pub")))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("contains an OpenSSH public key");
  }

  @Test
  void check_pemOfWrongType_rejectedNamingType() throws Exception {
    Path pem =
        Files.writeString(
            dir.resolve("cert.pem"),
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            StandardCharsets.US_ASCII);

    assertThatThrownBy(() -> SshKeyFormat.check(pem))
        .isInstanceOf(HpcsException.class)
        .hasMessageContaining("contains a PEM \"CERTIFICATE\"")
        .hasMessageContaining("hpcs needs an unencrypted OpenSSH private key");
  }

  private Path keygen(String name, String... options) throws IOException, InterruptedException {
    Path key = dir.resolve(name);
    String[] command = new String[options.length + 5];
    command[0] = "ssh-keygen";
    command[1] = "-q";
    System.arraycopy(options, 0, command, 2, options.length);
    command[options.length + 2] = "-C";
    command[options.length + 3] = "test";
    command[options.length + 4] = "-f" + key;
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return key;
  }
}
