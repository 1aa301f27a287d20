package org.hpcs.server;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.spiffe.bundle.x509bundle.X509Bundle;
import io.spiffe.spiffeid.TrustDomain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.hpcs.attest.AttestationException;
import org.hpcs.attest.VerifierServices;
import org.hpcs.attest.jointoken.JoinTokenStore;
import org.hpcs.server.api.ApiRoutes;
import org.hpcs.server.config.ServerConfig;
import org.hpcs.server.http.HttpApi;
import org.hpcs.server.http.Metrics;
import org.hpcs.server.http.NodeAuthenticator;
import org.hpcs.server.http.ServerTls;
import org.hpcs.server.http.TrustBundle;
import org.hpcs.server.http.UserAuthenticator;
import org.hpcs.server.service.Auditor;
import org.hpcs.server.service.BundleService;
import org.hpcs.server.service.EnrolmentService;
import org.hpcs.server.service.GrantService;
import org.hpcs.server.service.JobService;
import org.hpcs.server.service.Verifiers;
import org.hpcs.server.slurm.ScontrolJobDirectory;
import org.hpcs.server.spire.SpireAdmin;
import org.hpcs.server.spire.SpireException;
import org.hpcs.server.store.AuditLog;
import org.hpcs.server.store.BundleStore;
import org.hpcs.server.store.ChallengeStore;
import org.hpcs.server.store.Database;
import org.hpcs.server.store.GrantStore;
import org.hpcs.server.store.JobStore;
import org.hpcs.server.store.JoinTokenRepository;
import org.hpcs.server.store.NodeStore;
import org.hpcs.server.vault.VaultClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running server: database, services, HTTPS listener, bundle refresh and job sweeper. */
public final class ServerApp implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServerApp.class);

  static {
    // The JDK HTTP server waits for ever on a slow client by default. These bound reading a
    // request and writing a response, in seconds, unless set on the command line.
    setIfAbsent("sun.net.httpserver.maxReqTime", "30");
    setIfAbsent("sun.net.httpserver.maxRspTime", "30");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  private final Database database;
  private final AuditLog auditLog;
  private final HttpsServer server;
  private final ThreadPoolExecutor workers;
  private final ScheduledExecutorService scheduler;
  private final List<ScheduledFuture<?>> tasks;

  private ServerApp(
      Database database,
      AuditLog auditLog,
      HttpsServer server,
      ThreadPoolExecutor workers,
      ScheduledExecutorService scheduler,
      List<ScheduledFuture<?>> tasks) {
    this.database = database;
    this.auditLog = auditLog;
    this.server = server;
    this.workers = workers;
    this.scheduler = scheduler;
    this.tasks = tasks;
  }

  /**
   * Starts the server.
   *
   * @param config the validated configuration
   * @param database the opened, migrated database; closed with the server
   * @param spire SPIRE administration
   * @param vault the Vault client with the server's token
   * @param clock the clock for every decision
   * @throws IOException when the listener cannot bind or a PEM file cannot be read
   * @throws GeneralSecurityException when the TLS key material is unusable
   * @throws AttestationException when an enabled attestor is missing or misconfigured
   */
  public static ServerApp start(
      ServerConfig config, Database database, SpireAdmin spire, VaultClient vault, Clock clock)
      throws IOException, GeneralSecurityException, AttestationException {
    AuditLog auditLog = new AuditLog(database, clock);
    Auditor auditor = new Auditor(auditLog);
    NodeStore nodes = new NodeStore(database);
    JoinTokenRepository joinTokens = new JoinTokenRepository(database);
    BundleStore bundleStore = new BundleStore(database);
    GrantStore grantStore = new GrantStore(database);
    JobStore jobStore = new JobStore(database);
    Verifiers verifiers = Verifiers.load(config.attestors(), services(joinTokens));

    EnrolmentService enrolment =
        new EnrolmentService(
            new EnrolmentService.Settings(
                config.trustDomain(),
                config.challengeTtl(),
                config.spireJoinTokenTtl(),
                config.maxJoinTokenTtl()),
            verifiers,
            new ChallengeStore(database),
            joinTokens,
            nodes,
            spire,
            auditor,
            clock);
    BundleService bundles = new BundleService(bundleStore, auditor, clock, config.kvMount());
    GrantService grants = new GrantService(grantStore, bundles, auditor, clock);
    JobService jobs =
        new JobService(
            new JobService.Settings(
                config.trustDomain(), config.jwtMount(), config.jwtAudience(), config.maxJobTime()),
            jobStore,
            bundleStore,
            grantStore,
            vault,
            auditor,
            clock,
            config.verifyJobs()
                ? new ScontrolJobDirectory(config.scontrol(), config.slurmConf())
                : null);

    if (!config.verifyJobs()) {
      LOG.warn("slurm.verifyJobs=false: job starts are not checked with Slurm");
    }

    Metrics metrics = new Metrics();
    metrics.gauge("hpcs_jobs_active", "Jobs whose Vault role exists.", jobStore::countActive);
    metrics.gauge(
        "hpcs_grants_live",
        "Grants neither revoked nor expired.",
        () -> grantStore.countLive(clock.instant()));
    TrustBundle bundle = new TrustBundle(TrustDomain.parse(config.trustDomain()));
    ApiRoutes.Services routes =
        new ApiRoutes.Services(
            enrolment, bundles, grants, jobs, auditLog, bundleStore, metrics, vault::healthy);
    HttpApi api =
        new HttpApi(
            ApiRoutes.all(routes),
            config.maxBodyBytes(),
            new NodeAuthenticator(bundle, nodes),
            new UserAuthenticator(vault, config.adminPolicy(), config.userLoginPaths()),
            auditLog,
            metrics);

    ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
    refreshBundle(spire, bundle);
    ScheduledFuture<?> refresh =
        scheduler.scheduleWithFixedDelay(
            () -> refreshBundle(spire, bundle),
            config.bundleRefresh().toSeconds(),
            config.bundleRefresh().toSeconds(),
            TimeUnit.SECONDS);
    ScheduledFuture<?> sweeper =
        scheduler.scheduleWithFixedDelay(
            () -> sweep(jobs),
            config.sweepInterval().toSeconds(),
            config.sweepInterval().toSeconds(),
            TimeUnit.SECONDS);

    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            config.threads(),
            config.threads(),
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(1024),
            new ThreadPoolExecutor.CallerRunsPolicy());
    HttpsServer server = listen(config, api, workers);
    LOG.info(
        "HPCS server listening on https://{}:{}",
        config.listenHost(),
        server.getAddress().getPort());
    return new ServerApp(
        database,
        auditLog,
        server,
        workers,
        scheduler,
        new CopyOnWriteArrayList<>(List.of(refresh, sweeper)));
  }

  private static VerifierServices services(JoinTokenRepository joinTokens) {
    return new VerifierServices() {
      @Override
      public <T> Optional<T> lookup(Class<T> type) {
        return type == JoinTokenStore.class ? Optional.of(type.cast(joinTokens)) : Optional.empty();
      }
    };
  }

  private static HttpsServer listen(ServerConfig config, HttpApi api, ThreadPoolExecutor workers)
      throws IOException, GeneralSecurityException {
    SSLContext tls = ServerTls.create(config.tlsCertFile(), config.tlsKeyFile());
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(config.listenHost(), config.listenPort()), 256);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters parameters = tls.getDefaultSSLParameters();
            parameters.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
            parameters.setWantClientAuth(true);
            params.setSSLParameters(parameters);
          }
        });
    server.createContext("/", api);
    server.setExecutor(workers);
    server.start();
    return server;
  }

  private static void refreshBundle(SpireAdmin spire, TrustBundle bundle) {
    try {
      byte[] pem = spire.x509BundlePem().getBytes(StandardCharsets.US_ASCII);
      bundle.update(X509Bundle.parse(bundle.trustDomain(), pem));
    } catch (SpireException | io.spiffe.exception.X509BundleException | RuntimeException e) {
      LOG.error(
          "cannot refresh the SPIFFE trust bundle; node requests fail until it loads: {}",
          e.getMessage());
    }
  }

  private static void sweep(JobService jobs) {
    try {
      int cleaned = jobs.sweep();
      if (cleaned > 0) {
        LOG.info("sweeper removed the Vault role and policy of {} overdue jobs", cleaned);
      }
    } catch (RuntimeException e) {
      LOG.error("job sweeper failed", e);
    }
  }

  /** Runs a task periodically until the server stops; the task must not throw. */
  void every(java.time.Duration period, Runnable task) {
    tasks.add(
        scheduler.scheduleWithFixedDelay(
            task, period.toSeconds(), period.toSeconds(), TimeUnit.SECONDS));
  }

  /** Returns the bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(1);
    tasks.forEach(task -> task.cancel(false));
    workers.shutdownNow();
    scheduler.shutdownNow();
    auditLog.close();
    database.close();
    LOG.info("HPCS server stopped");
  }
}
