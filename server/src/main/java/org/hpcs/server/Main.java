package org.hpcs.server;

import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.hpcs.server.config.ConfigException;
import org.hpcs.server.config.ConfigLoader;
import org.hpcs.server.config.ServerConfig;
import org.hpcs.server.http.ServerTls;
import org.hpcs.server.spire.SpireCli;
import org.hpcs.server.store.Database;
import org.hpcs.server.store.StoreException;
import org.hpcs.server.vault.VaultClient;

/** Command-line entry point: {@code hpcs-server <config.properties>}. */
public final class Main {
  private Main() {}

  /** Starts the server and runs until the process is stopped. */
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 1 || args[0].startsWith("-")) {
      System.err.println("usage: hpcs-server <config.properties>");
      System.exit(2);
    }
    ServerApp app;
    try {
      app = start(ServerConfigFile.of(Path.of(args[0])));
    } catch (ConfigException e) {
      System.err.println("hpcs-server: error: " + e.getMessage());
      System.exit(2);
      return;
    } catch (Exception e) {
      System.err.println("hpcs-server: error: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  app.close();
                  stopped.countDown();
                }));
    stopped.await();
  }

  /**
   * Opens the database and backends described by the configuration and starts the server.
   *
   * @throws Exception when any part cannot start; the message names it
   */
  public static ServerApp start(ServerConfig config) throws Exception {
    ServerToken vaultToken = new ServerToken(config.vaultTokenFile());
    String dbPassword =
        config.dbPasswordFile() == null
            ? null
            : SecretFiles.read(config.dbPasswordFile(), "db.passwordFile");
    VaultClient vault = new VaultClient(config.vaultAddr(), vaultHttp(config), vaultToken);
    SpireCli spire =
        new SpireCli(config.spireServerBin(), config.spireSocket(), config.trustDomain());
    Database database;
    try {
      database = Database.open(config.dbUrl(), config.dbUser(), dbPassword, config.dbPoolSize());
    } catch (StoreException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
    try {
      ServerApp app = ServerApp.start(config, database, spire, vault, Clock.systemUTC());
      app.every(config.bundleRefresh(), () -> vaultToken.refresh(vault));
      return app;
    } catch (Exception e) {
      database.close();
      throw e;
    }
  }

  private static HttpClient vaultHttp(ServerConfig config) throws Exception {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (config.vaultCaFile() != null) {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate ca : ServerTls.readCertificates(config.vaultCaFile())) {
        trust.setCertificateEntry("vault-ca-" + i++, ca);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      builder.sslContext(context);
    }
    return builder.build();
  }

  /** Loads the configuration file. */
  private static final class ServerConfigFile {
    static ServerConfig of(Path file) throws ConfigException {
      return ConfigLoader.load(file);
    }
  }
}
