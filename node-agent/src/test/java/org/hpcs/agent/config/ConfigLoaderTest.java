package org.hpcs.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  private static final Path FILE = Path.of("/etc/hpcs/node-agent.conf");

  private static AgentConfig parse(String... lines) throws ConfigException {
    return ConfigLoader.parse(FILE, List.of(lines));
  }

  private static List<String> problems(String... lines) {
    return catchThrowableOfType(ConfigException.class, () -> parse(lines)).problems();
  }

  @Test
  void parse_minimal_defaults() throws Exception {
    AgentConfig config =
        parse(
            "# test node",
            "node = n1",
            "socket = /run/hpcs/n1/agent.sock",
            "state-dir = /var/lib/hpcs/n1",
            "attestation = spire-native");

    assertThat(config.node()).isEqualTo("n1");
    assertThat(config.allowedUsers()).containsExactlyInAnyOrder("root", "slurm");
    assertThat(config.reaperInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.server()).isEmpty();
    assertThat(config.slurmBinDir()).isEqualTo(Path.of("/usr/bin"));
  }

  @Test
  void parse_minimal_jobDefaultsPerNode() throws Exception {
    AgentConfig config =
        parse(
            "node = n2",
            "socket = /run/hpcs/n2/agent.sock",
            "state-dir = /var/lib/hpcs/n2",
            "attestation = spire-native");

    AgentConfig.Jobs jobs = config.jobs();
    assertThat(jobs.runtime()).isEqualTo("apptainer");
    assertThat(jobs.runtimeBinary()).isEqualTo(Path.of("/usr/bin/apptainer"));
    assertThat(jobs.workspaceStateDir()).isEqualTo(Path.of("/var/lib/hpcs/n2/workspaces"));
    assertThat(jobs.workspaceRunDir()).isEqualTo(Path.of("/run/hpcs/jobs/n2"));
    assertThat(jobs.launchDir()).isEqualTo(Path.of("/run/hpcs/launch/n2"));
    assertThat(jobs.vaultTimeout()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void parse_bwrapRuntime_binaryFollowsRuntime() throws Exception {
    AgentConfig config =
        parse(
            "node = n1",
            "socket = /run/hpcs/n1/agent.sock",
            "state-dir = /var/lib/hpcs/n1",
            "attestation = spire-native",
            "runtime = bwrap");

    assertThat(config.jobs().runtimeBinary()).isEqualTo(Path.of("/usr/bin/bwrap"));
  }

  @Test
  void parse_invalidJobSettings_eachReported() {
    List<String> problems =
        problems(
            "node = n1",
            "socket = /run/hpcs/n1/agent.sock",
            "state-dir = /var/lib/hpcs/n1",
            "attestation = spire-native",
            "runtime = docker",
            "runtime.require-encrypted-image = yes",
            "workspace.state-dir = /run/hpcs/jobs/n1/state",
            "launch-dir = run/launch");

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "key 'runtime': 'docker' is not apptainer or bwrap",
            "key 'runtime.require-encrypted-image': 'yes' is not true or false",
            "keys 'workspace.state-dir' and 'workspace.run-dir' must not contain each other",
            "key 'launch-dir': 'run/launch' is not an absolute path");
  }

  @Test
  void parse_manyProblems_allReportedAtOnce() {
    List<String> problems =
        problems(
            "node = n1/../x",
            "socket = run/agent.sock",
            "sockt = /x",
            "reaper.interval-seconds = soon",
            "reaper.interval-seconds = 5",
            "attestation = spire-native",
            "this line has no equals sign");

    assertThat(problems)
        .containsExactlyInAnyOrder(
            "line 3: unknown key 'sockt'",
            "line 5: key 'reaper.interval-seconds' is set twice",
            "line 7: expected 'key = value'",
            "key 'node': 'n1/../x' is not a Slurm node name",
            "key 'socket': 'run/agent.sock' is not an absolute path",
            "missing key 'state-dir' (an absolute path)",
            "key 'reaper.interval-seconds': 'soon' is not a whole number of seconds from 5 to 3600");
  }

  @Test
  void parse_messageNamesFileAndCount() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse("node = n1"));

    assertThat(e)
        .hasMessageStartingWith(
            "invalid node agent config /etc/hpcs/node-agent.conf (5 problems):");
  }

  @Test
  void parse_fetchTimeoutBelowTwoSyncIntervals_rejected() {
    assertThat(
            problems(
                "node = n1",
                "socket = /s",
                "state-dir = /d",
                "attestation = spire-native",
                "spire.sync-interval-seconds = 10",
                "svid.fetch-timeout-seconds = 15"))
        .singleElement()
        .asString()
        .contains("shorter than two SPIRE agent sync intervals (20 s)");
  }

  @Test
  void parse_joinTokenWithoutServer_rejected() {
    assertThat(
            problems(
                "node = n1",
                "socket = /s",
                "state-dir = /d",
                "attestation = join-token",
                "attestor.tokenFile = /etc/hpcs/token"))
        .contains("attestation 'join-token' needs server.url (enrolment is a server call)")
        .anyMatch(p -> p.startsWith("attestation 'join-token' needs spire.agent.binary"));
  }

  @Test
  void parse_attestationMissing_defaultsToJoinToken() {
    assertThat(
            problems(
                "node = n1", "socket = /s", "state-dir = /d", "attestor.tokenFile = /etc/token"))
        .contains("attestation 'join-token' needs server.url (enrolment is a server call)")
        .noneMatch(p -> p.contains("missing key 'attestation'"));
  }

  @Test
  void parse_unknownAttestor_namesValueAndInstalled() {
    assertThat(problems("node = n1", "socket = /s", "state-dir = /d", "attestation = tpm-devd"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("key 'attestation': 'tpm-devd' is not an installed attestor")
                    .contains("join-token", "tpm-devid", "spire-native"));
  }

  @Test
  void parse_tpmDevIdBadSettings_namesEachBadValue() {
    assertThat(
            problems(
                "node = n3",
                "socket = /s",
                "state-dir = /d",
                "attestation = tpm-devid",
                "attestor.tcti = swtpm:host=127.0.0.1,port=2341",
                "attestor.devid-handle = 0x12",
                "attestor.devid-cert = /nonexistent/devid.crt"))
        .anySatisfy(
            p ->
                assertThat(p)
                    .startsWith("attestor settings (keys 'attestor.*'): tpm-devid")
                    .contains("key 'devid-handle' is '0x12'")
                    .contains("key 'devid-cert' names /nonexistent/devid.crt"));
  }

  @Test
  void parse_tpmDevIdValidSettings_passToPlugin(@TempDir Path dir) throws Exception {
    Path certificate = Files.writeString(dir.resolve("devid.crt"), "placeholder");

    List<String> problems =
        problems(
            "node = n3",
            "socket = /s",
            "state-dir = /d",
            "attestation = tpm-devid",
            "attestor.tcti = swtpm:host=127.0.0.1,port=2341",
            "attestor.devid-cert = " + certificate);

    assertThat(problems).noneMatch(p -> p.startsWith("attestor settings"));
    assertThat(problems).anyMatch(p -> p.startsWith("attestation 'tpm-devid' needs server.url"));
  }

  @Test
  void parse_httpServer_rejected() {
    assertThat(
            problems(
                "node = n1",
                "socket = /s",
                "state-dir = /d",
                "attestation = spire-native",
                "trust-domain = hpcs.test",
                "server.url = http://127.0.0.1:8443"))
        .containsExactly(
            "key 'server.url': 'http://127.0.0.1:8443' must be an https URL with a host");
  }

  @Test
  void parse_attestorKeysWithSpireNative_rejected() {
    assertThat(
            problems(
                "node = n1",
                "socket = /s",
                "state-dir = /d",
                "attestation = spire-native",
                "attestor.tokenFile = /t"))
        .containsExactly("key 'attestor.tokenFile' is set, but attestation is spire-native");
  }

  @Test
  void parse_server_defaultSpiffeIdFromTrustDomain() throws Exception {
    AgentConfig config =
        parse(
            "node = n2",
            "socket = /s",
            "state-dir = /d",
            "attestation = spire-native",
            "trust-domain = hpcs.test",
            "server.url = https://127.0.0.1:8443");

    assertThat(config.server().orElseThrow().spiffeId())
        .isEqualTo("spiffe://hpcs.test/hpcs/server");
    assertThat(config.nodeSpiffeId()).isEqualTo("spiffe://hpcs.test/hpcs/node/n2");
  }
}
