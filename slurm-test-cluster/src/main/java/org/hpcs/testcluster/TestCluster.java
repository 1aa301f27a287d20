package org.hpcs.testcluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The running local test stack, as described by its {@code stack.env}: typed accessors for every
 * key of the contract, the secrets behind the key files, and helpers to run commands as cluster
 * users.
 *
 * <p>Integration tests receive an instance from {@link TestClusterExtension}.
 */
public final class TestCluster {

  private final StackEnv env;
  private final SlurmJobs slurm;

  public TestCluster(StackEnv env) {
    this.env = Objects.requireNonNull(env, "env must not be null");
    this.slurm = new SlurmJobs(this);
  }

  /** Returns the parsed environment file. */
  public StackEnv stackEnv() {
    return env;
  }

  /**
   * Returns the value of any key of {@code stack.env}.
   *
   * @throws TestClusterException if the key is missing or empty
   */
  public String env(String key) {
    return env.require(key);
  }

  // --- Slurm ------------------------------------------------------------------------------

  public String trustDomain() {
    return env("HPCS_TRUST_DOMAIN");
  }

  public Path slurmConf() {
    return Path.of(env("SLURM_CONF"));
  }

  /** Returns the compute nodes, in order (n1, n2, n3). */
  public List<String> slurmNodes() {
    return csv("SLURM_NODES");
  }

  public String slurmPartition() {
    return env.find("SLURM_PARTITION").orElse("debug");
  }

  // --- SPIRE ------------------------------------------------------------------------------

  public Path spireServerSocket() {
    return Path.of(env("SPIRE_SERVER_SOCKET"));
  }

  public String spireServerAddr() {
    return env("SPIRE_SERVER_ADDR");
  }

  public Path spireBinDir() {
    return Path.of(env("SPIRE_BIN_DIR"));
  }

  /** Returns the trust bundle of the trust domain (PEM), as exported from the SPIRE server. */
  public Path spireBundle() {
    return Path.of(env("SPIRE_BUNDLE"));
  }

  /** Returns the Workload API socket of a node's SPIRE agent. */
  public Path spireAgentSocket(String node) {
    return Path.of(env("SPIRE_AGENT_SOCKET_" + nodeKey(node)));
  }

  /** Returns the Workload API address of a node's agent in the form java-spiffe expects. */
  public String spireAgentAddress(String node) {
    return "unix:" + spireAgentSocket(node);
  }

  /** Returns the SPIFFE ID of a node's SPIRE agent (its parent ID for registration entries). */
  public String spireAgentId(String node) {
    return env("SPIRE_AGENT_ID_" + nodeKey(node));
  }

  /** Returns the SPIFFE ID the node's agent hands to root workloads: spiffe://TD/hpcs/node/NODE. */
  public String nodeSpiffeId(String node) {
    return env.find("SPIRE_NODE_ID_" + nodeKey(node))
        .orElse("spiffe://" + trustDomain() + "/hpcs/node/" + node);
  }

  public URI oidcDiscoveryUrl() {
    return URI.create(env("OIDC_DISCOVERY_URL"));
  }

  // --- OpenBao ----------------------------------------------------------------------------

  public URI baoAddr() {
    return URI.create(env("BAO_ADDR"));
  }

  /** Returns the {@code bao} binary that runs the stack's OpenBao server (also a CLI client). */
  public Path baoBin() {
    return Path.of(env("BAO_BIN"));
  }

  /** Returns the root token, read from its 0600 file. */
  public String baoRootToken() {
    return readSecret(Path.of(env("BAO_ROOT_TOKEN_FILE")));
  }

  public String baoKvMount() {
    return env("BAO_KV_MOUNT");
  }

  public String baoJwtMount() {
    return env("BAO_JWT_MOUNT");
  }

  public String baoUserpassMount() {
    return env("BAO_USERPASS_MOUNT");
  }

  /** Returns the userpass users with policy hpcs-owner (owner, alice, bob). */
  public List<String> baoUsers() {
    return csv("BAO_USERS");
  }

  /** Returns the userpass user with policy hpcs-admin. */
  public String baoAdminUser() {
    return env("BAO_ADMIN_USER");
  }

  /**
   * Returns the userpass password of one of {@link #baoUsers()} or {@link #baoAdminUser()}.
   *
   * @throws IllegalArgumentException if the stack has no such user
   */
  public String userPassword(String user) {
    if (!baoUsers().contains(user) && !env.find("BAO_ADMIN_USER").orElse("").equals(user)) {
      throw new IllegalArgumentException(
          "No OpenBao user '" + user + "' in the test stack; use one of " + baoUsers());
    }
    return readSecret(baoPasswordDir().resolve(user + ".password"));
  }

  /** Returns the directory of the userpass password files ({@code <user>.password}). */
  public Path baoPasswordDir() {
    return env.find("BAO_PASSWORD_DIR")
        .map(Path::of)
        .orElseGet(() -> Path.of(env("BAO_ROOT_TOKEN_FILE")).getParent());
  }

  // --- SSH --------------------------------------------------------------------------------

  public String sshHost() {
    return env("SSH_HOST");
  }

  public int sshPort() {
    return port("SSH_PORT", env("SSH_PORT"));
  }

  /** Returns the Unix users of the cluster that can log in over SSH (alice, bob). */
  public List<String> sshUsers() {
    return csv("SSH_USERS");
  }

  /**
   * Returns the private key (OpenSSH format, 0600) that logs a cluster user in.
   *
   * @throws IllegalArgumentException if the user is not one of {@link #sshUsers()}
   */
  public Path sshKey(String user) {
    if (!sshUsers().contains(user)) {
      throw new IllegalArgumentException(
          "No SSH user '" + user + "' in the test stack; use one of " + sshUsers());
    }
    Path dir = env.find("SSH_KEY_DIR").map(Path::of).orElseGet(() -> sshKnownHosts().getParent());
    return dir.resolve(user + "_ed25519");
  }

  public Path sshKnownHosts() {
    return Path.of(env("SSH_KNOWN_HOSTS"));
  }

  // --- PostgreSQL -------------------------------------------------------------------------

  public String pgJdbcUrl() {
    return env("PG_JDBC_URL");
  }

  public String pgUser() {
    return env("PG_USER");
  }

  /** Returns the password of {@link #pgUser()}, read from its 0600 file. */
  public String pgPassword() {
    return readSecret(Path.of(env("PG_PASSWORD_FILE")));
  }

  // --- swtpm ------------------------------------------------------------------------------

  /** Returns the TPM command port of a node's software TPM. */
  public InetSocketAddress swtpm(String node) {
    return hostPort("SWTPM_" + nodeKey(node));
  }

  /** Returns the control port of a node's software TPM (command port + 1). */
  public InetSocketAddress swtpmControl(String node) {
    String key = "SWTPM_CTRL_" + nodeKey(node);
    if (env.find(key).isPresent()) {
      return hostPort(key);
    }
    InetSocketAddress tpm = swtpm(node);
    return InetSocketAddress.createUnresolved(tpm.getHostString(), tpm.getPort() + 1);
  }

  /** Returns the CA certificate that the software TPMs' EK certificates chain to. */
  public Path swtpmEkCaCert() {
    return Path.of(env("SWTPM_EK_CA_CERT"));
  }

  /**
   * Returns the intermediate certificate between the EK certificates and {@link #swtpmEkCaCert()}.
   */
  public Path swtpmEkIssuerCert() {
    return Path.of(env("SWTPM_EK_ISSUER_CERT"));
  }

  // --- HPCS server and node agents -------------------------------------------------------

  /** Returns the HPCS server's base URL, for example {@code https://localhost:8443}. */
  public URI hpcsServerUrl() {
    return URI.create(env("HPCS_SERVER_URL"));
  }

  /** Returns the PEM file of the CA certificates that issue the server's TLS certificate. */
  public Path hpcsServerCa() {
    return Path.of(env("HPCS_SERVER_CA"));
  }

  /** Returns the config file of a node's agent, as install-node installed it. */
  public Path agentConfig(String node) {
    return Path.of(env("HPCS_AGENT_CONFIG_" + nodeKey(node)));
  }

  /**
   * Returns the Ed25519 private key (PKCS#8 PEM, 0600) that the test owner signs bundle manifests
   * with. The server pins the first key an owner registers with, so every test signs with this one.
   */
  public Path ownerSigningKey() {
    return Path.of(env("HPCS_OWNER_SIGNING_KEY"));
  }

  /** Returns the public key of {@link #ownerSigningKey()} (X.509 SubjectPublicKeyInfo PEM). */
  public Path ownerSigningPublicKey() {
    return Path.of(env("HPCS_OWNER_SIGNING_PUBLIC_KEY"));
  }

  // --- directories and availability -------------------------------------------------------

  /** Returns the checkout whose {@code hpcs-cluster up} wrote the environment file. */
  public Path repoRoot() {
    return Path.of(env("HPCS_REPO"));
  }

  public Path stateDir() {
    return Path.of(env("HPCS_STATE_DIR"));
  }

  public Path runDir() {
    return Path.of(env("HPCS_RUN_DIR"));
  }

  public Path logDir() {
    return Path.of(env("HPCS_LOG_DIR"));
  }

  /**
   * Why a component ("spire" or "openbao") is missing from this stack, when a package registry
   * refused it at install time.
   */
  public Optional<String> unavailable(String component) {
    return env.find("HPCS_UNAVAILABLE_" + component.toUpperCase(Locale.ROOT));
  }

  /** Skips the calling test (JUnit assumption) when SPIRE could not be installed. */
  public void assumeSpire() {
    Optional<String> reason = unavailable("spire");
    Assumptions.assumeTrue(reason.isEmpty(), () -> "SPIRE is not available: " + reason.get());
  }

  /** Skips the calling test (JUnit assumption) when OpenBao could not be installed. */
  public void assumeOpenBao() {
    Optional<String> reason = unavailable("openbao");
    Assumptions.assumeTrue(reason.isEmpty(), () -> "OpenBao is not available: " + reason.get());
  }

  // --- commands ---------------------------------------------------------------------------

  /** Runs a command as a Unix user of the cluster (through runuser; the tests run as root). */
  public CommandResult runAs(String user, Duration timeout, String... command) {
    List<String> line = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    line.addAll(Arrays.asList(command));
    return Commands.run(timeout, line);
  }

  /** Returns the helper that submits batch jobs as cluster users. */
  public SlurmJobs slurm() {
    return slurm;
  }

  // --- helpers ----------------------------------------------------------------------------

  private String nodeKey(String node) {
    if (!slurmNodes().contains(node)) {
      throw new IllegalArgumentException(
          "No node '" + node + "' in the test stack; use one of " + slurmNodes());
    }
    return node.toUpperCase(Locale.ROOT);
  }

  private List<String> csv(String key) {
    return Arrays.stream(env(key).split(",", -1)).map(String::strip).toList();
  }

  private InetSocketAddress hostPort(String key) {
    String value = env(key);
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      throw new TestClusterException(
          key + "=" + value + " in " + env.source() + " is not HOST:PORT; run hpcs-cluster up");
    }
    return InetSocketAddress.createUnresolved(
        value.substring(0, colon), port(key, value.substring(colon + 1)));
  }

  private int port(String key, String value) {
    try {
      int port = Integer.parseInt(value);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new TestClusterException(
        key + " in " + env.source() + " has no valid port ('" + value + "'); run hpcs-cluster up");
  }

  private static String readSecret(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new TestClusterException(
          "Cannot read "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + "); the tests must run as root on the machine that runs the stack",
          e);
    }
  }
}
