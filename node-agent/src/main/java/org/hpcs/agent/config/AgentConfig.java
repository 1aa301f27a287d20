package org.hpcs.agent.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The validated node agent configuration. {@link ConfigLoader} builds it; docs/admin-guide.md
 * describes every key.
 *
 * @param node the Slurm node name this agent serves
 * @param socket the Unix socket the SPANK plugin connects to
 * @param allowedUsers users whose processes may connect to the socket
 * @param socketIoTimeout longest wait for a request or for writing a reply
 * @param requestTimeout longest time the agent may work on one request before failing the step
 * @param stateDir directory of the per-job state files (created 0700)
 * @param pidFile where to write the agent's process id, if anywhere
 * @param slurmBinDir directory holding squeue and scontrol
 * @param slurmConf SLURM_CONF for squeue and scontrol, if not the default
 * @param reaperInterval how often to look for jobs that Slurm no longer runs
 * @param attestation {@value #SPIRE_NATIVE} or the name of an attestor plugin, by default {@value
 *     #DEFAULT_ATTESTATION}
 * @param attestorConfig settings handed to the attestor plugin (keys without the prefix)
 * @param server the HPCS server settings, if the agent reports to a server
 * @param spire the SPIRE settings
 * @param jobs the settings of secured jobs: runtime, directories, Vault
 */
public record AgentConfig(
    String node,
    Path socket,
    Set<String> allowedUsers,
    Duration socketIoTimeout,
    Duration requestTimeout,
    Path stateDir,
    Optional<Path> pidFile,
    Path slurmBinDir,
    Optional<Path> slurmConf,
    Duration reaperInterval,
    String attestation,
    Map<String, String> attestorConfig,
    Optional<Server> server,
    Spire spire,
    Jobs jobs) {

  /** Attestation value for sites whose SPIRE agents attest with SPIRE's own plugins. */
  public static final String SPIRE_NATIVE = "spire-native";

  /** Attestation when the config sets none: the join-token attestor plugin. */
  public static final String DEFAULT_ATTESTATION = "join-token";

  /** Copies the collections. */
  public AgentConfig {
    allowedUsers = Set.copyOf(allowedUsers);
    attestorConfig = Map.copyOf(attestorConfig);
  }

  /**
   * HPCS server settings.
   *
   * @param url base URL, https
   * @param caFile CA certificates that sign the server's TLS certificate, used before the node has
   *     an SVID (enrolment)
   * @param spiffeId the server's SPIFFE ID, checked on mutual TLS
   * @param timeout connect and request timeout
   */
  public record Server(URI url, Optional<Path> caFile, String spiffeId, Duration timeout) {}

  /**
   * SPIRE settings.
   *
   * @param trustDomain the SPIFFE trust domain
   * @param agentBinary the spire-agent binary, when the node agent supervises spire-agent
   * @param agentConfig the spire-agent HCL config file
   * @param workloadSocket the Workload API socket, if configured explicitly
   * @param agentStartTimeout longest wait for the Workload API socket after starting spire-agent
   * @param restartDelay wait before restarting a spire-agent that exited
   * @param syncInterval the spire-agent's sync interval with the SPIRE server
   * @param svidFetchTimeout how long to retry fetching the node's X.509-SVID
   */
  public record Spire(
      Optional<String> trustDomain,
      Optional<Path> agentBinary,
      Optional<Path> agentConfig,
      Optional<Path> workloadSocket,
      Duration agentStartTimeout,
      Duration restartDelay,
      Duration syncInterval,
      Duration svidFetchTimeout) {}

  /**
   * Settings of secured jobs.
   *
   * @param runtime {@value #APPTAINER} or {@value #BWRAP}
   * @param runtimeBinary the runtime's binary
   * @param requireEncryptedImage for Apptainer: reject images without an encrypted root file system
   * @param workspaceStateDir root-only directory of the cipher directories
   * @param workspaceRunDir directory of the mount points
   * @param launchDir root-owned directory of the steps' launch files
   * @param vaultCaFile PEM CA certificates for an https Vault address
   * @param vaultTimeout connect and read timeout of each Vault call
   */
  public record Jobs(
      String runtime,
      Path runtimeBinary,
      boolean requireEncryptedImage,
      Path workspaceStateDir,
      Path workspaceRunDir,
      Path launchDir,
      Optional<Path> vaultCaFile,
      Duration vaultTimeout) {
    /** The production container runtime. */
    public static final String APPTAINER = "apptainer";

    /** The bubblewrap runtime, for sites without Apptainer and the test cluster. */
    public static final String BWRAP = "bwrap";
  }

  /** Returns the SPIFFE ID the node agent's X.509-SVID must carry. */
  public String nodeSpiffeId() {
    return "spiffe://" + spire.trustDomain().orElse("") + "/hpcs/node/" + node;
  }
}
