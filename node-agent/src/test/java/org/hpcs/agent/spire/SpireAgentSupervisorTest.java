package org.hpcs.agent.spire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hpcs.agent.enrol.Enrolment;
import org.hpcs.agent.enrol.JoinToken;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor's start-up decisions, with a stand-in spire-agent script: it serves its socket
 * when its config sets a join token, or when a saved SVID file is present, and otherwise exits the
 * way spire-agent does when its join token was already used. A real spire-agent cannot be made to
 * lose its saved SVID between two starts on demand, which is what these cases need.
 */
class SpireAgentSupervisorTest {
  @TempDir Path dir;

  private final List<String> enrolments = new CopyOnWriteArrayList<>();
  private SpireAgentSupervisor supervisor;
  private Path socket;
  private Path dataDir;
  private Path agentConfig;
  private Path stateDir;
  private Path binary;

  @BeforeEach
  void setUp() throws Exception {
    socket = dir.resolve("api.sock");
    dataDir = dir.resolve("data");
    stateDir = dir.resolve("state");
    Files.createDirectories(dataDir);
    Files.createDirectories(stateDir);
    agentConfig = dir.resolve("agent.conf");
    Files.writeString(
        agentConfig,
        "agent {\n  data_dir = \""
            + dataDir
            + "\"\n  socket_path = \""
            + socket
            + "\"\n}\n"
            + "plugins { KeyManager \"disk\" { plugin_data { directory = \""
            + dataDir
            + "\" } } }\n");
    binary = dir.resolve("spire-agent");
    Files.writeString(
        binary,
        """
        #!/bin/sh
        # Stand-in for spire-agent: run -config FILE
        echo "args: $*" >> "$(dirname "$0")/calls.log"
        config=$3
        data=$(sed -n 's/^ *data_dir = "\\(.*\\)"/\\1/p' "$config")
        sock=$(sed -n 's/^ *socket_path = "\\(.*\\)"/\\1/p' "$config")
        if grep -q join_token "$config"; then
          grep join_token "$config" | sed 's/.*= "\\(.*\\)"/\\1/' > "$data/agent_svid.der"
        elif [ ! -f "$data/agent_svid.der" ]; then
          echo 'level=error msg="Agent crashed" error="join token does not exist or has already been used"'
          exit 1
        fi
        touch "$sock"
        exec sleep 60
        """);
    Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterEach
  void tearDown() {
    if (supervisor != null) {
      supervisor.close();
    }
  }

  private SpireAgentSupervisor supervisor() throws Exception {
    Enrolment enrolment =
        () -> {
          enrolments.add("enrol");
          return Optional.of(
              new JoinToken("token-" + enrolments.size(), "spiffe://hpcs.test/hpcs/node/n1"));
        };
    supervisor =
        new SpireAgentSupervisor(
            binary,
            SpireAgentConfig.load(agentConfig),
            stateDir,
            enrolment,
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            Clock.systemUTC());
    return supervisor;
  }

  @Test
  void start_firstTime_enrolsAndDeletesGeneratedConfig() throws Exception {
    supervisor().start();

    assertThat(enrolments).hasSize(1);
    assertThat(socket).exists();
    assertThat(stateDir.resolve("spire-agent.conf")).doesNotExist();
    assertThat(Files.readString(dir.resolve("calls.log"))).doesNotContain("token-1");
    assertThat(Files.readString(stateDir.resolve("spire-agent.log"))).doesNotContain("token-1");
  }

  @Test
  void start_afterRestartWithSavedSvid_reusesItWithoutEnrolling() throws Exception {
    supervisor().start();
    supervisor.close();
    Files.delete(socket);
    Files.delete(stateDir.resolve("spire-agent.pid"));

    supervisor().start();

    assertThat(enrolments).hasSize(1);
    List<String> calls = Files.readString(dir.resolve("calls.log")).lines().toList();
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).endsWith("-config " + stateDir.resolve("spire-agent.conf"));
    assertThat(calls.get(1)).endsWith("-config " + agentConfig);
  }

  @Test
  void start_savedSvidLost_enrolsAgainAndKeepsDataDir() throws Exception {
    supervisor().start();
    supervisor.close();
    Files.delete(socket);
    Files.delete(stateDir.resolve("spire-agent.pid"));
    Files.delete(dataDir.resolve("agent_svid.der"));
    Files.writeString(dataDir.resolve("keys.json"), "{}");

    supervisor().start();

    assertThat(enrolments).hasSize(2);
    assertThat(dataDir.resolve("keys.json")).exists();
    assertThat(Files.readString(dataDir.resolve("agent_svid.der")).strip()).isEqualTo("token-2");
  }

  @Test
  void start_configWithJoinToken_rejected() throws Exception {
    Files.writeString(
        agentConfig, "agent {\n  join_token = \"x\"\n  socket_path = \"" + socket + "\"\n}\n");

    assertThatThrownBy(() -> supervisor().start())
        .hasMessageContaining("sets join_token; remove it");
  }

  @Test
  void start_spireNativeWithSavedSvid_startsWithoutEnrolling() throws Exception {
    Files.writeString(dataDir.resolve("agent_svid.der"), "saved");
    supervisor =
        new SpireAgentSupervisor(
            binary,
            SpireAgentConfig.load(agentConfig),
            stateDir,
            Enrolment.none(),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            Clock.systemUTC());

    supervisor.start();

    assertThat(socket).exists();
    assertThat(stateDir.resolve("spire-agent.enrolled")).doesNotExist();
  }

  @Test
  void start_spireNativeWithoutSavedSvid_failsNamingTheReason() throws Exception {
    supervisor =
        new SpireAgentSupervisor(
            binary,
            SpireAgentConfig.load(agentConfig),
            stateDir,
            Enrolment.none(),
            Duration.ofSeconds(10),
            Duration.ofSeconds(1),
            Clock.systemUTC());

    assertThatThrownBy(() -> supervisor.start())
        .hasMessageContaining("spire-agent did not start: it exited with code 1")
        .hasMessageContaining("join token does not exist or has already been used")
        .hasMessageContaining("must attest with SPIRE's own node attestor");
  }
}
