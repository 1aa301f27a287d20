package org.hpcs.client.cli;

import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;
import org.hpcs.server.Main;
import org.hpcs.server.ServerApp;
import org.hpcs.server.testing.TestPki;
import org.hpcs.testcluster.TestCluster;

/**
 * The real HPCS server, started in this JVM against the test stack's OpenBao and SPIRE with an
 * SQLite database, because the stack does not run a server of its own. Its TLS certificate comes
 * from the server's test PKI ({@code server-ca.crt} signs a certificate for localhost).
 */
final class InProcessServer implements AutoCloseable {
  private final ServerApp app;
  private final Path caFile;

  private InProcessServer(ServerApp app, Path caFile) {
    this.app = app;
    this.caFile = caFile;
  }

  /**
   * Starts the server.
   *
   * @param serverVaultToken a Vault token with the server's policy (the stack's admin user)
   */
  static InProcessServer start(TestCluster cluster, Path dir, String serverVaultToken)
      throws Exception {
    TestPki pki = TestPki.create(Files.createDirectories(dir.resolve("pki")));
    Path token = dir.resolve("server-vault-token");
    Files.writeString(token, serverVaultToken, StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw-------"));
    Properties config = new Properties();
    config.setProperty("listen.port", "0");
    config.setProperty("tls.certFile", pki.file("server.crt").toString());
    config.setProperty("tls.keyFile", pki.file("server.key").toString());
    config.setProperty("trustDomain", cluster.trustDomain());
    config.setProperty("db.url", "jdbc:sqlite:" + dir.resolve("server.db"));
    config.setProperty("vault.addr", cluster.baoAddr().toString());
    config.setProperty("vault.tokenFile", token.toString());
    config.setProperty("vault.kvMount", cluster.baoKvMount());
    config.setProperty("vault.jwtMount", cluster.baoJwtMount());
    config.setProperty("spire.serverBin", cluster.spireBinDir().resolve("spire-server").toString());
    config.setProperty("spire.socketPath", cluster.spireServerSocket().toString());
    config.setProperty("slurm.verifyJobs", "false");
    Path file = dir.resolve("server.properties");
    try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      config.store(out, "client integration test");
    }
    ServerApp app = Main.start(org.hpcs.server.config.ConfigLoader.load(file));
    return new InProcessServer(app, pki.file("server-ca.crt"));
  }

  /** Returns the base URL; the certificate names localhost. */
  URI url() {
    return URI.create("https://localhost:" + app.port());
  }

  /** Returns the CA certificate that clients must trust. */
  Path caFile() {
    return caFile;
  }

  @Override
  public void close() {
    app.close();
  }
}
