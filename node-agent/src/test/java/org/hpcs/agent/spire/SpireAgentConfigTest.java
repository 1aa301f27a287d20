package org.hpcs.agent.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.hpcs.agent.config.AgentConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpireAgentConfigTest {
  private static final Path FILE = Path.of("/etc/spire/agent.conf");

  private static final String ADMIN_FIRST =
      """
      # socket_path = "/wrong/commented.sock"
      agent {
          data_dir = "/var/lib/spire/agent"
          admin_socket_path = "/run/spire/admin/admin.sock"
          // the Workload API: socket_path below
          socket_path = "/run/spire/agent/public/api.sock"
          server_address = "127.0.0.1"
          server_port = "8081"
          trust_domain = "hpcs.test"
      }
      plugins {
          NodeAttestor "join_token" { plugin_data {} }
          KeyManager "disk" {
              plugin_data { directory = "/var/lib/spire/agent" }
          }
          WorkloadAttestor "unix" {
              plugin_data = { discover_workload_path = true }
          }
      }
      """;

  @Test
  void parse_adminSocketFirst_workloadSocketExact() throws Exception {
    SpireAgentConfig config = SpireAgentConfig.parse(FILE, ADMIN_FIRST);

    assertThat(config.socketPath()).isEqualTo(Path.of("/run/spire/agent/public/api.sock"));
    assertThat(config.dataDir()).contains(Path.of("/var/lib/spire/agent"));
  }

  @Test
  void parse_adminSocketLast_workloadSocketExact() throws Exception {
    String text =
        """
        agent {
          socket_path = "/run/a/agent.sock" /* the workload socket_path */
          admin_socket_path = "/run/b/admin.sock"
        }
        """;

    assertThat(SpireAgentConfig.parse(FILE, text).socketPath())
        .isEqualTo(Path.of("/run/a/agent.sock"));
  }

  @Test
  void parse_socketPathOutsideAgentBlock_ignored() throws Exception {
    String text =
        """
        health_checks { socket_path = "/run/other.sock" }
        agent { trust_domain = "hpcs.test" }
        """;

    assertThat(SpireAgentConfig.parse(FILE, text).socketPath())
        .isEqualTo(SpireAgentConfig.DEFAULT_SOCKET);
  }

  @Test
  void parse_heredocAndLists_parsed() throws Exception {
    String text =
        """
        agent {
          socket_path = "/run/x.sock"
          sds = { default_svid_name = "default" }
          experimental { named_pipe_name = "p" }
          allowed = ["a", "b",]
        }
        notes = <<EOT
        socket_path = "/wrong"
        EOT
        """;

    assertThat(SpireAgentConfig.parse(FILE, text).socketPath()).isEqualTo(Path.of("/run/x.sock"));
  }

  @Test
  void parse_noAgentBlock_rejected() {
    assertThatThrownBy(() -> SpireAgentConfig.parse(FILE, "plugins {}\n"))
        .hasMessageContaining("must have exactly one 'agent' block, found 0");
  }

  @Test
  void parse_unclosedBlock_rejectedWithLine() {
    assertThatThrownBy(() -> SpireAgentConfig.parse(FILE, "agent {\n  socket_path = \"/x\"\n"))
        .hasMessageContaining("line 3: missing '}'");
  }

  @Test
  void parse_unclosedString_rejectedWithLine() {
    assertThatThrownBy(() -> SpireAgentConfig.parse(FILE, "agent {\n  socket_path = \"/x\n}\n"))
        .hasMessageContaining("line 2: string is not closed");
  }

  @Test
  void withJoinToken_insertsIntoAgentBlock() throws Exception {
    SpireAgentConfig config = SpireAgentConfig.parse(FILE, ADMIN_FIRST);

    SpireAgentConfig withToken = SpireAgentConfig.parse(FILE, config.withJoinToken("tok\"en"));

    assertThat(withToken.hasJoinToken()).isTrue();
    assertThat(
            Hcl.parse(config.withJoinToken("tok\"en")).blocks("agent").get(0).body().attributes())
        .containsEntry("join_token", "tok\"en")
        .containsEntry("socket_path", "/run/spire/agent/public/api.sock");
  }

  @Test
  void resolve_precedence_explicitThenEnvironmentThenHcl(@TempDir Path dir) throws Exception {
    Path agentConf = dir.resolve("agent.conf");
    java.nio.file.Files.writeString(agentConf, ADMIN_FIRST);
    AgentConfig.Spire hclOnly = spire(Optional.empty(), Optional.of(agentConf));
    AgentConfig.Spire explicit =
        spire(Optional.of(Path.of("/run/explicit.sock")), Optional.of(agentConf));

    assertThat(
            WorkloadSocket.resolve(
                explicit, Map.of(WorkloadSocket.ENDPOINT_VARIABLE, "unix:/run/env.sock")))
        .isEqualTo(Path.of("/run/explicit.sock"));
    assertThat(
            WorkloadSocket.resolve(
                hclOnly, Map.of(WorkloadSocket.ENDPOINT_VARIABLE, "unix:///run/env.sock")))
        .isEqualTo(Path.of("/run/env.sock"));
    assertThat(WorkloadSocket.resolve(hclOnly, Map.of()))
        .isEqualTo(Path.of("/run/spire/agent/public/api.sock"));
  }

  @Test
  void resolve_nothingConfigured_rejected() {
    assertThatThrownBy(
            () -> WorkloadSocket.resolve(spire(Optional.empty(), Optional.empty()), Map.of()))
        .hasMessageContaining("no Workload API socket configured");
  }

  @Test
  void await_missingSocket_timesOutWithPath() {
    assertThatThrownBy(
            () ->
                WorkloadSocket.await(
                    Path.of("/nonexistent/api.sock"), Duration.ofSeconds(1), Clock.systemUTC()))
        .hasMessage(
            "Workload API socket /nonexistent/api.sock not present after 1 s; check that spire-agent runs and uses this socket_path");
  }

  private static AgentConfig.Spire spire(Optional<Path> socket, Optional<Path> agentConfig) {
    return new AgentConfig.Spire(
        Optional.of("hpcs.test"),
        Optional.empty(),
        agentConfig,
        socket,
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Duration.ofSeconds(5),
        Duration.ofSeconds(30));
  }
}
