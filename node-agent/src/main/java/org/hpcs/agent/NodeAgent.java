package org.hpcs.agent;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.workloadapi.X509Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.hpcs.agent.config.AgentConfig;
import org.hpcs.agent.enrol.AttestorEnrolment;
import org.hpcs.agent.enrol.Enrolment;
import org.hpcs.agent.enrol.EnrolmentException;
import org.hpcs.agent.job.JobFacts;
import org.hpcs.agent.job.JobRegistry;
import org.hpcs.agent.job.JobStateStore;
import org.hpcs.agent.job.JobWorkDir;
import org.hpcs.agent.job.SqueueJobs;
import org.hpcs.agent.mount.FusePreflight;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.mount.WorkspaceLayout;
import org.hpcs.agent.report.Journal;
import org.hpcs.agent.report.Reporter;
import org.hpcs.agent.report.Reporters;
import org.hpcs.agent.report.ServerReporter;
import org.hpcs.agent.runtime.ApptainerRuntime;
import org.hpcs.agent.runtime.BwrapRuntime;
import org.hpcs.agent.runtime.ContainerRuntime;
import org.hpcs.agent.secure.SecureJobPipeline;
import org.hpcs.agent.secure.SecureJobSettings;
import org.hpcs.agent.server.EnrolmentApi;
import org.hpcs.agent.server.HttpServerApi;
import org.hpcs.agent.server.ServerApi;
import org.hpcs.agent.server.ServerException;
import org.hpcs.agent.socket.AgentSocketServer;
import org.hpcs.agent.socket.PeerPolicy;
import org.hpcs.agent.spire.HclException;
import org.hpcs.agent.spire.SpireAgentConfig;
import org.hpcs.agent.spire.SpireAgentSupervisor;
import org.hpcs.agent.spire.SvidException;
import org.hpcs.agent.spire.SvidFetcher;
import org.hpcs.agent.spire.WorkloadSocket;
import org.hpcs.agent.vault.JwtSvidSource;
import org.hpcs.agent.vault.KeyReleaseException;
import org.hpcs.agent.vault.VaultKeyReader;
import org.hpcs.agent.vault.WorkloadJwtSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running node agent: wires config, SPIRE, server, job registry and socket together. */
public final class NodeAgent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);
  private static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);

  private final AgentConfig config;
  private final Clock clock = Clock.systemUTC();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private Path workloadSocket;

  /** Creates the agent; {@link #start()} brings it up. */
  public NodeAgent(AgentConfig config) {
    this.config = config;
  }

  /**
   * Starts every part: SPIRE and the server connection when configured, the job registry with its
   * persisted jobs, the socket, and the reaper of orphaned jobs.
   *
   * @throws StartupException naming the part that failed
   */
  public void start() throws StartupException {
    try {
      Files.createDirectories(config.stateDir());
      Files.setPosixFilePermissions(
          config.stateDir(), PosixFilePermissions.fromString("rwx------"));
      createPrivateDirectory(config.socket().toAbsolutePath().getParent());
      writePidFile();
      Optional<ServerApi> server = connectServer();
      Reporter reporter = reporter(server);
      JobRegistry registry =
          new JobRegistry(
              config.node(),
              new JobStateStore(config.stateDir().resolve("jobs")),
              securePipeline(server, reporter),
              reporter,
              clock);
      registry.recover();
      AgentSocketServer socket =
          new AgentSocketServer(
              config.socket(),
              new PeerPolicy(config.allowedUsers()),
              new AgentService(config.node(), registry),
              config.socketIoTimeout(),
              PROGRESS_INTERVAL,
              config.requestTimeout());
      socket.start();
      resources.add(socket);
      startReaper(registry);
      LOG.info(
          "node agent for {} started with {} known jobs", config.node(), registry.jobs().size());
    } catch (IOException e) {
      throw new StartupException(
          "node agent for " + config.node() + " failed to start: " + e.getMessage(), e);
    } catch (SvidException
        | EnrolmentException
        | ServerException
        | HclException
        | MountException e) {
      throw new StartupException(e.getMessage(), e);
    }
  }

  private Optional<ServerApi> connectServer()
      throws SvidException, EnrolmentException, ServerException, HclException {
    Enrolment enrolment = Enrolment.none();
    if (!config.attestation().equals(AgentConfig.SPIRE_NATIVE)) {
      enrolment =
          AttestorEnrolment.create(
              config.node(),
              config.attestation(),
              config.attestorConfig(),
              EnrolmentApi.create(config.server().orElseThrow()));
    }
    AgentConfig.Spire spire = config.spire();
    if (spire.agentBinary().isPresent()) {
      SpireAgentSupervisor supervisor =
          new SpireAgentSupervisor(
              spire.agentBinary().get(),
              SpireAgentConfig.load(spire.agentConfig().orElseThrow()),
              config.stateDir(),
              enrolment,
              spire.agentStartTimeout(),
              spire.restartDelay(),
              clock);
      resources.add(supervisor);
      supervisor.start();
    }
    boolean spireConfigured = spire.workloadSocket().isPresent() || spire.agentBinary().isPresent();
    if (config.server().isEmpty() && !spireConfigured) {
      LOG.warn("no server.url configured: jobs are recorded in the journal only, no key release");
      return Optional.empty();
    }
    Path socket = WorkloadSocket.resolve(spire, System.getenv());
    WorkloadSocket.await(socket, spire.agentStartTimeout(), clock);
    workloadSocket = socket;
    X509Source svid =
        new SvidFetcher(
                socket, SpiffeId.parse(config.nodeSpiffeId()), spire.svidFetchTimeout(), clock)
            .fetch();
    resources.add(svid);
    if (config.server().isEmpty()) {
      LOG.warn("no server.url configured: jobs are recorded in the journal only, no key release");
      return Optional.empty();
    }
    return Optional.of(HttpServerApi.create(config.server().get(), svid, config.node()));
  }

  private SecureJobPipeline securePipeline(Optional<ServerApi> server, Reporter reporter)
      throws MountException {
    AgentConfig.Jobs jobs = config.jobs();
    ContainerRuntime runtime =
        jobs.runtime().equals(AgentConfig.Jobs.BWRAP)
            ? new BwrapRuntime(jobs.runtimeBinary())
            : new ApptainerRuntime(jobs.runtimeBinary(), jobs.requireEncryptedImage());
    SecureJobSettings settings =
        new SecureJobSettings(
            config.node(),
            new WorkspaceLayout(
                jobs.workspaceStateDir(), jobs.workspaceRunDir(), Duration.ofSeconds(2)),
            jobs.launchDir(),
            runtime,
            new FusePreflight(FusePreflight.Host.current()));
    JwtSvidSource jwts =
        audience -> {
          throw new KeyReleaseException(
              "the node agent on " + config.node() + " has no SPIRE Workload API configured");
        };
    if (workloadSocket != null) {
      jwts = new WorkloadJwtSource(workloadSocket, SpiffeId.parse(config.nodeSpiffeId()));
    }
    return new SecureJobPipeline(
        settings,
        server,
        new JobFacts(config.slurmBinDir(), config.slurmConf()),
        new JobWorkDir(config.slurmBinDir(), config.slurmConf()),
        new VaultKeyReader(jwts, jobs.vaultCaFile(), jobs.vaultTimeout()),
        reporter,
        clock);
  }

  private Reporter reporter(Optional<ServerApi> server) {
    List<Reporter> reporters = new ArrayList<>();
    reporters.add(new Journal(config.stateDir().resolve("journal.jsonl")));
    if (server.isPresent()) {
      ServerReporter serverReporter = new ServerReporter(server.get());
      resources.add(serverReporter);
      reporters.add(serverReporter);
    }
    return Reporters.all(reporters);
  }

  private void startReaper(JobRegistry registry) {
    SqueueJobs slurm = new SqueueJobs(config.slurmBinDir(), config.slurmConf());
    ScheduledExecutorService reaper =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("job-reaper").daemon(true).unstarted(r));
    long seconds = config.reaperInterval().toSeconds();
    var unused =
        reaper.scheduleWithFixedDelay(
            () -> {
              try {
                registry.reap(slurm);
              } catch (RuntimeException e) {
                LOG.error("reaping orphaned jobs failed", e);
              }
            },
            0,
            seconds,
            TimeUnit.SECONDS);
    resources.add(reaper::shutdownNow);
  }

  private void writePidFile() throws IOException {
    if (config.pidFile().isPresent()) {
      Path pidFile = config.pidFile().get();
      createPrivateDirectory(pidFile.toAbsolutePath().getParent());
      Files.writeString(pidFile, ProcessHandle.current().pid() + "\n", StandardCharsets.UTF_8);
      resources.add(() -> Files.deleteIfExists(pidFile));
    }
  }

  /** Creates a missing directory 0700; an existing one keeps the mode its admin chose. */
  private static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
  }

  @Override
  public void close() {
    for (int i = resources.size() - 1; i >= 0; i--) {
      try {
        resources.get(i).close();
      } catch (Exception e) {
        LOG.warn("closing {} failed: {}", resources.get(i), e.getMessage());
      }
    }
    resources.clear();
  }
}
