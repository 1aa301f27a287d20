package org.hpcs.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The validated server configuration. {@link ConfigLoader} documents each key.
 *
 * @param listenHost address to bind
 * @param listenPort TCP port to bind; 0 picks a free port
 * @param threads request worker threads
 * @param maxBodyBytes largest accepted request body
 * @param tlsCertFile PEM certificate chain of the server, leaf first
 * @param tlsKeyFile PEM PKCS#8 private key of the server (0600)
 * @param trustDomain the SPIFFE trust domain of node agents
 * @param dbUrl JDBC URL
 * @param dbUser database user or null
 * @param dbPasswordFile file holding the database password, or null
 * @param dbPoolSize maximum database connections
 * @param vaultAddr Vault address
 * @param vaultCaFile PEM CA bundle for an https Vault address, or null
 * @param vaultTokenFile file holding the server's Vault token (0600)
 * @param kvMount KV version 2 mount of bundle keys
 * @param jwtMount JWT auth mount that validates JWT-SVIDs
 * @param jwtAudience audience bound on every job role
 * @param adminPolicy Vault policy that makes a caller an admin
 * @param userLoginPaths path prefixes of the Vault login methods whose tokens identify users
 * @param spireServerBin the spire-server executable
 * @param spireSocket the SPIRE server admin socket
 * @param spireJoinTokenTtl lifetime of SPIRE join tokens handed to enrolled nodes
 * @param bundleRefresh how often the SPIFFE trust bundle is fetched again
 * @param attestors enabled attestors and their settings
 * @param challengeTtl lifetime of an attestation challenge
 * @param maxJoinTokenTtl the longest HPCS join token an admin may create
 * @param maxJobTime cap on a job's key-release window, whatever its time limit
 * @param sweepInterval how often overdue jobs are cleaned up
 * @param verifyJobs whether each job start is checked with Slurm
 * @param scontrol the scontrol executable
 * @param slurmConf the slurm.conf for scontrol, or null for Slurm's default
 */
public record ServerConfig(
    String listenHost,
    int listenPort,
    int threads,
    int maxBodyBytes,
    Path tlsCertFile,
    Path tlsKeyFile,
    String trustDomain,
    String dbUrl,
    String dbUser,
    Path dbPasswordFile,
    int dbPoolSize,
    URI vaultAddr,
    Path vaultCaFile,
    Path vaultTokenFile,
    String kvMount,
    String jwtMount,
    String jwtAudience,
    String adminPolicy,
    List<String> userLoginPaths,
    Path spireServerBin,
    Path spireSocket,
    Duration spireJoinTokenTtl,
    Duration bundleRefresh,
    Map<String, Map<String, String>> attestors,
    Duration challengeTtl,
    Duration maxJoinTokenTtl,
    Duration maxJobTime,
    Duration sweepInterval,
    boolean verifyJobs,
    Path scontrol,
    Path slurmConf) {
  /** Copies the attestor settings. */
  public ServerConfig {
    attestors = Map.copyOf(attestors);
    userLoginPaths = List.copyOf(userLoginPaths);
  }

  /** Returns the enabled attestor names. */
  public List<String> attestorNames() {
    return attestors.keySet().stream().sorted().toList();
  }
}
