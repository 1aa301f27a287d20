package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Duration;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.keyverifier.RejectAllServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.SshException;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(TestClusterExtension.class)
class SshLoginIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(15);

  @Test
  void exec_aliceKeyWithKnownHosts_runsAsAlice(TestCluster cluster) throws Exception {
    try (SshClient client = client(cluster.sshKnownHosts());
        ClientSession session = login(client, cluster, "alice", cluster.sshKey("alice"))) {
      String user = session.executeRemoteCommand("id -un");

      assertThat(user.strip()).isEqualTo("alice");
    }
  }

  @Test
  void connect_hostKeyNotInKnownHosts_isRejected(TestCluster cluster, @TempDir Path dir)
      throws Exception {
    Path emptyKnownHosts = Files.createFile(dir.resolve("known_hosts"));

    try (SshClient client = client(emptyKnownHosts)) {
      assertThatThrownBy(() -> login(client, cluster, "alice", cluster.sshKey("alice")))
          .isInstanceOf(SshException.class)
          .hasMessageContaining("Server key did not validate");
    }
  }

  @Test
  void auth_bobsKeyForAlice_isRejected(TestCluster cluster) throws Exception {
    try (SshClient client = client(cluster.sshKnownHosts())) {
      assertThatThrownBy(() -> login(client, cluster, "alice", cluster.sshKey("bob")))
          .isInstanceOf(SshException.class)
          .hasMessageContaining("No more authentication methods available");
    }
  }

  private static SshClient client(Path knownHosts) {
    SshClient client = SshClient.setUpDefaultClient();
    client.setServerKeyVerifier(
        new KnownHostsServerKeyVerifier(RejectAllServerKeyVerifier.INSTANCE, knownHosts));
    client.start();
    return client;
  }

  private static ClientSession login(SshClient client, TestCluster cluster, String user, Path key)
      throws IOException, GeneralSecurityException {
    ClientSession session =
        client.connect(user, cluster.sshHost(), cluster.sshPort()).verify(TIMEOUT).getSession();
    try {
      session.addPublicKeyIdentity(loadKey(key));
      session.auth().verify(TIMEOUT);
      return session;
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      session.close();
      throw e;
    }
  }

  private static KeyPair loadKey(Path key) throws IOException, GeneralSecurityException {
    try (var in = Files.newInputStream(key)) {
      return SecurityUtils.loadKeyPairIdentities(
              null, () -> key.toString(), in, FilePasswordProvider.EMPTY)
          .iterator()
          .next();
    }
  }
}
