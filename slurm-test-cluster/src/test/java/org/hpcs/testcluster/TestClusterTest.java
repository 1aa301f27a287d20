package org.hpcs.testcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.TestAbortedException;

class TestClusterTest {

  @TempDir Path dir;

  private TestCluster cluster;

  @BeforeEach
  void writeStack() throws IOException {
    Files.writeString(dir.resolve("root-token"), "s.root-token-value\n", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("alice.password"), "alice-secret", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("admin.password"), "admin-secret", StandardCharsets.UTF_8);
    Files.writeString(dir.resolve("pg-password"), "pg-secret\n", StandardCharsets.UTF_8);
    cluster = new TestCluster(StackEnv.parse(dir.resolve("stack.env"), lines(List.of())));
  }

  private List<String> lines(List<String> extra) {
    List<String> lines =
        new ArrayList<>(
            List.of(
                "HPCS_TRUST_DOMAIN=hpcs.test",
                "SLURM_CONF=/etc/slurm/slurm.conf",
                "SLURM_NODES=n1,n2,n3",
                "SPIRE_SERVER_SOCKET=/run/hpcs-test/spire-server/api.sock",
                "SPIRE_SERVER_ADDR=127.0.0.1:8081",
                "SPIRE_BIN_DIR=/repo/build/spire/bin",
                "SPIRE_AGENT_SOCKET_N2=/run/hpcs-test/spire-agent-n2/agent.sock",
                "SPIRE_AGENT_ID_N2=spiffe://hpcs.test/spire/agent/join_token/abc",
                "OIDC_DISCOVERY_URL=http://localhost:8090",
                "BAO_ADDR=http://127.0.0.1:8200",
                "BAO_ROOT_TOKEN_FILE=" + dir.resolve("root-token"),
                "BAO_KV_MOUNT=kv-hpcs",
                "BAO_JWT_MOUNT=jwt",
                "BAO_USERPASS_MOUNT=userpass",
                "BAO_USERS=owner,alice,bob",
                "BAO_ADMIN_USER=admin",
                "SSH_HOST=127.0.0.1",
                "SSH_PORT=2222",
                "SSH_USERS=alice,bob",
                "SSH_KNOWN_HOSTS=/var/lib/hpcs-test/ssh/known_hosts",
                "PG_JDBC_URL=jdbc:postgresql://127.0.0.1:5433/hpcs",
                "PG_USER=hpcs",
                "PG_PASSWORD_FILE=" + dir.resolve("pg-password"),
                "SWTPM_N1=127.0.0.1:2321",
                "SWTPM_N3=127.0.0.1:2341",
                "SWTPM_CTRL_N3=127.0.0.1:2399",
                "HPCS_STATE_DIR=/var/lib/hpcs-test",
                "HPCS_RUN_DIR=/run/hpcs-test",
                "HPCS_LOG_DIR=/var/log/hpcs-test"));
    lines.addAll(extra);
    return lines;
  }

  private TestCluster clusterWith(String... extra) {
    return new TestCluster(StackEnv.parse(dir.resolve("stack.env"), lines(List.of(extra))));
  }

  @Test
  void accessors_contractKeys_areTyped() {
    assertThat(cluster.trustDomain()).isEqualTo("hpcs.test");
    assertThat(cluster.slurmConf()).isEqualTo(Path.of("/etc/slurm/slurm.conf"));
    assertThat(cluster.slurmNodes()).containsExactly("n1", "n2", "n3");
    assertThat(cluster.slurmPartition()).isEqualTo("debug");
    assertThat(cluster.spireServerSocket())
        .isEqualTo(Path.of("/run/hpcs-test/spire-server/api.sock"));
    assertThat(cluster.spireServerAddr()).isEqualTo("127.0.0.1:8081");
    assertThat(cluster.spireBinDir()).isEqualTo(Path.of("/repo/build/spire/bin"));
    assertThat(cluster.oidcDiscoveryUrl()).isEqualTo(URI.create("http://localhost:8090"));
    assertThat(cluster.baoAddr()).isEqualTo(URI.create("http://127.0.0.1:8200"));
    assertThat(cluster.baoKvMount()).isEqualTo("kv-hpcs");
    assertThat(cluster.baoJwtMount()).isEqualTo("jwt");
    assertThat(cluster.baoUserpassMount()).isEqualTo("userpass");
    assertThat(cluster.baoUsers()).containsExactly("owner", "alice", "bob");
    assertThat(cluster.sshHost()).isEqualTo("127.0.0.1");
    assertThat(cluster.sshPort()).isEqualTo(2222);
    assertThat(cluster.sshUsers()).containsExactly("alice", "bob");
    assertThat(cluster.pgJdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5433/hpcs");
    assertThat(cluster.pgUser()).isEqualTo("hpcs");
    assertThat(cluster.stateDir()).isEqualTo(Path.of("/var/lib/hpcs-test"));
    assertThat(cluster.runDir()).isEqualTo(Path.of("/run/hpcs-test"));
    assertThat(cluster.logDir()).isEqualTo(Path.of("/var/log/hpcs-test"));
  }

  @Test
  void env_anyKey_returnsRawValue() {
    assertThat(cluster.env("SPIRE_SERVER_SOCKET"))
        .isEqualTo("/run/hpcs-test/spire-server/api.sock");
  }

  @Test
  void spireAgent_knownNode_mapsToItsKeys() {
    assertThat(cluster.spireAgentSocket("n2"))
        .isEqualTo(Path.of("/run/hpcs-test/spire-agent-n2/agent.sock"));
    assertThat(cluster.spireAgentAddress("n2"))
        .isEqualTo("unix:/run/hpcs-test/spire-agent-n2/agent.sock");
    assertThat(cluster.spireAgentId("n2"))
        .isEqualTo("spiffe://hpcs.test/spire/agent/join_token/abc");
    assertThat(cluster.nodeSpiffeId("n2")).isEqualTo("spiffe://hpcs.test/hpcs/node/n2");
  }

  @Test
  void spireAgentSocket_unknownNode_namesNodeAndChoices() {
    assertThatThrownBy(() -> cluster.spireAgentSocket("n9"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'n9'")
        .hasMessageContaining("[n1, n2, n3]");
  }

  @Test
  void baoRootToken_readsFileWithoutNewline() {
    assertThat(cluster.baoRootToken()).isEqualTo("s.root-token-value");
  }

  @Test
  void userPassword_userAndAdmin_readTheirFiles() {
    assertThat(cluster.userPassword("alice")).isEqualTo("alice-secret");
    assertThat(cluster.userPassword("admin")).isEqualTo("admin-secret");
  }

  @Test
  void userPassword_explicitDirectory_isUsed() throws IOException {
    Path other = Files.createDirectory(dir.resolve("passwords"));
    Files.writeString(other.resolve("bob.password"), "bob-secret", StandardCharsets.UTF_8);

    TestCluster withDir = clusterWith("BAO_PASSWORD_DIR=" + other);

    assertThat(withDir.userPassword("bob")).isEqualTo("bob-secret");
  }

  @Test
  void userPassword_unknownUser_isRejectedWithoutReadingFiles() {
    assertThatThrownBy(() -> cluster.userPassword("mallory"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'mallory'")
        .hasMessageContaining("[owner, alice, bob]");
  }

  @Test
  void userPassword_missingFile_namesFileNotContent() {
    assertThatThrownBy(() -> cluster.userPassword("bob"))
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining(dir.resolve("bob.password").toString())
        .hasMessageContaining("as root");
  }

  @Test
  void pgPassword_readsFileWithoutNewline() {
    assertThat(cluster.pgPassword()).isEqualTo("pg-secret");
  }

  @Test
  void sshKey_defaultsToKnownHostsDirectory() {
    assertThat(cluster.sshKey("alice")).isEqualTo(Path.of("/var/lib/hpcs-test/ssh/alice_ed25519"));
    assertThat(cluster.sshKnownHosts()).isEqualTo(Path.of("/var/lib/hpcs-test/ssh/known_hosts"));
  }

  @Test
  void sshKey_unknownUser_isRejected() {
    assertThatThrownBy(() -> cluster.sshKey("owner"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'owner'");
  }

  @Test
  void swtpm_hostPort_isParsed() {
    assertThat(cluster.swtpm("n1"))
        .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 2321));
  }

  @Test
  void swtpmControl_withoutKey_isCommandPortPlusOne() {
    assertThat(cluster.swtpmControl("n1"))
        .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 2322));
    assertThat(cluster.swtpmControl("n3"))
        .isEqualTo(InetSocketAddress.createUnresolved("127.0.0.1", 2399));
  }

  @Test
  void swtpm_malformedValue_namesKey() {
    TestCluster broken = clusterWith("SWTPM_N2=127.0.0.1");

    assertThatThrownBy(() -> broken.swtpm("n2"))
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining("SWTPM_N2=127.0.0.1");
  }

  @Test
  void sshPort_notANumber_namesKeyAndValue() {
    TestCluster broken = clusterWith("SSH_PORT=ssh");

    assertThatThrownBy(broken::sshPort)
        .isInstanceOf(TestClusterException.class)
        .hasMessageContaining("SSH_PORT")
        .hasMessageContaining("'ssh'");
  }

  @Test
  void assumeSpire_componentAvailable_doesNotAbort() {
    cluster.assumeSpire();

    assertThat(cluster.unavailable("spire")).isEmpty();
  }

  @Test
  void assumeSpire_registryRefused_abortsWithReason() {
    TestCluster without = clusterWith("HPCS_UNAVAILABLE_SPIRE='the registry refused: go get'");

    assertThatThrownBy(without::assumeSpire)
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("SPIRE is not available: the registry refused: go get");
  }

  @Test
  void assumeOpenBao_registryRefused_abortsWithReason() {
    TestCluster without = clusterWith("HPCS_UNAVAILABLE_OPENBAO=refused");

    assertThatThrownBy(without::assumeOpenBao)
        .isInstanceOf(TestAbortedException.class)
        .hasMessageContaining("OpenBao is not available: refused");
  }
}
