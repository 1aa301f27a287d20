package org.hpcs.client.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The client's settings, read from a properties file by {@link ConfigLoader}. Optional values are
 * empty when the file does not set them; commands ask for what they need with {@link
 * ConfigLoader#require}.
 *
 * @param file the file the settings came from
 * @param serverUrl the HPCS server
 * @param serverCaFile PEM file with the CA certificates that the server's TLS certificate must
 *     chain to; empty to use the Java runtime's default trust store
 * @param vaultUrl the Vault or OpenBao server
 * @param vaultAuth the login method: userpass, jwt or token
 * @param vaultAuthMount the auth mount (userpass, jwt)
 * @param vaultJwtRole the JWT role for jwt logins
 * @param vaultUsername the Vault user name for userpass logins
 * @param kvMount the KV version 2 mount that holds bundle keys
 * @param sshHost the cluster's SSH host
 * @param sshPort the cluster's SSH port
 * @param sshUser the cluster user to log in as
 * @param sshKey the private key file for SSH
 * @param sshKnownHosts the known_hosts file that must list the cluster's host key
 * @param sshRemoteDir the remote directory for bundles, relative to the SSH user's home
 * @param outputRecipients default age recipients for job outputs
 * @param keysDir directory of the owner's keys (output identity and signing key)
 * @param tokenFile file where the Vault token is cached
 */
public record ClientConfig(
    Path file,
    Optional<URI> serverUrl,
    Optional<Path> serverCaFile,
    Optional<URI> vaultUrl,
    String vaultAuth,
    String vaultAuthMount,
    Optional<String> vaultJwtRole,
    Optional<String> vaultUsername,
    String kvMount,
    Optional<String> sshHost,
    int sshPort,
    Optional<String> sshUser,
    Optional<Path> sshKey,
    Optional<Path> sshKnownHosts,
    String sshRemoteDir,
    List<String> outputRecipients,
    Path keysDir,
    Path tokenFile) {}
