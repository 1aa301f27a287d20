package org.hpcs.agent.secure;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.spiffe.spiffeid.SpiffeId;
import io.spiffe.workloadapi.X509Source;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hpcs.agent.config.AgentConfig;
import org.hpcs.agent.job.JobFacts;
import org.hpcs.agent.job.JobRegistry;
import org.hpcs.agent.job.JobStateStore;
import org.hpcs.agent.job.JobWorkDir;
import org.hpcs.agent.mount.FusePreflight;
import org.hpcs.agent.mount.MountEntry;
import org.hpcs.agent.mount.MountTable;
import org.hpcs.agent.mount.Unmounter;
import org.hpcs.agent.mount.WorkspaceLayout;
import org.hpcs.agent.protocol.ManifestData;
import org.hpcs.agent.protocol.Request;
import org.hpcs.agent.protocol.StepDetails;
import org.hpcs.agent.report.JobEvent;
import org.hpcs.agent.report.Reporters;
import org.hpcs.agent.report.ServerReporter;
import org.hpcs.agent.runtime.BwrapRuntime;
import org.hpcs.agent.server.HttpServerApi;
import org.hpcs.agent.server.ServerApi;
import org.hpcs.agent.spire.SvidFetcher;
import org.hpcs.agent.vault.JwtSvidSource;
import org.hpcs.agent.vault.VaultKeyReader;
import org.hpcs.agent.vault.WorkloadJwtSource;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.server.Main;
import org.hpcs.server.ServerApp;
import org.hpcs.server.config.ConfigLoader;
import org.hpcs.server.store.Database;
import org.hpcs.server.store.NodeStore;
import org.hpcs.testcluster.CommandResult;
import org.hpcs.testcluster.TestCluster;

/**
 * The secured pipeline of node n1, run in the test's JVM against the test stack's real HPCS server,
 * SPIRE agent, OpenBao and Slurm, with the real gocryptfs, squashfuse and bwrap; plus what the data
 * owner and an admin do at the server. The workspace lives below {@code /var/lib/hpcs-secure-it-*}
 * and {@code /run/hpcs-secure-it-*}.
 */
final class SecureStack {
  static final String NODE = "n1";
  static final String OWNER = OwnerClient.OWNER;
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);

  final TestCluster cluster;
  final Path stateBase;
  final Path runBase;
  final WorkspaceLayout layout;
  final Path launchDir;
  final List<JobEvent> events = new CopyOnWriteArrayList<>();

  /** How long each JWT-SVID fetch took, in nanoseconds, in fetch order. */
  final List<Long> jwtNanos = new CopyOnWriteArrayList<>();

  final JobRegistry registry;
  final KeyPair ownerKey;

  private final ServerApp serverApp;
  private final URI serverUrl;
  private final X509Source svid;
  private final ServerReporter serverReporter;
  private final OwnerClient owner;
  private final List<Long> jobs = new ArrayList<>();
  private final List<Path> userDirectories = new ArrayList<>();

  private SecureStack(TestCluster cluster, String run) throws Exception {
    this.cluster = cluster;
    this.stateBase = Path.of("/var/lib/hpcs-secure-it-" + run);
    this.runBase = Path.of("/run/hpcs-secure-it-" + run);
    this.layout =
        new WorkspaceLayout(
            stateBase.resolve("workspaces"), runBase.resolve("jobs"), Duration.ofSeconds(2));
    this.launchDir = runBase.resolve("launch");
    this.ownerKey = Ed25519Keys.generate();
    this.serverApp = startServer(cluster, stateBase);
    this.serverUrl = URI.create("https://localhost:" + serverApp.port());
    this.owner = new OwnerClient(cluster, serverUrl);
    Path socket = cluster.spireAgentSocket(NODE);
    SpiffeId nodeId = SpiffeId.parse(cluster.nodeSpiffeId(NODE));
    this.svid = new SvidFetcher(socket, nodeId, Duration.ofSeconds(60), Clock.systemUTC()).fetch();
    ServerApi server =
        HttpServerApi.create(
            new AgentConfig.Server(
                serverUrl,
                Optional.empty(),
                cluster.env("HPCS_SERVER_SPIFFE_ID"),
                Duration.ofSeconds(20)),
            svid,
            NODE);
    this.serverReporter = new ServerReporter(server);
    SecureJobPipeline pipeline =
        new SecureJobPipeline(
            new SecureJobSettings(
                NODE,
                layout,
                launchDir,
                new BwrapRuntime(Path.of("/usr/bin/bwrap")),
                new FusePreflight(FusePreflight.Host.current())),
            Optional.of(server),
            new JobFacts(Path.of("/usr/bin"), Optional.of(cluster.slurmConf())),
            new JobWorkDir(Path.of("/usr/bin"), Optional.of(cluster.slurmConf())),
            new VaultKeyReader(
                timed(new WorkloadJwtSource(socket, nodeId)),
                Optional.empty(),
                Duration.ofSeconds(20)),
            events::add,
            Clock.systemUTC());
    this.registry =
        new JobRegistry(
            NODE,
            new JobStateStore(stateBase.resolve("jobs")),
            pipeline,
            Reporters.all(List.of(events::add, serverReporter)),
            Clock.systemUTC());
  }

  /** Opens the stack, or skips the test when a part it needs is missing. */
  static SecureStack open(TestCluster cluster) throws Exception {
    cluster.assumeSpire();
    cluster.assumeOpenBao();
    for (String key : List.of("HPCS_SERVER_CA", "HPCS_SERVER_SPIFFE_ID")) {
      assumeTrue(hasEnv(cluster, key), "the stack does not run the HPCS server (" + key + ")");
    }
    String run = Long.toHexString(System.nanoTime() & 0xffffffL);
    return new SecureStack(cluster, run);
  }

  private static boolean hasEnv(TestCluster cluster, String key) {
    try {
      return !cluster.env(key).isEmpty();
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** Creates a directory owned by {@code user} (mode 0700) below the user's home. */
  Path userDirectory(String user, String name) throws Exception {
    Path home = Path.of(runAs(user, "sh", "-c", "printf %s \"$HOME\"").stdout());
    Path dir = home.resolve(name);
    CommandResult made = runAs(user, "mkdir", "-m", "0700", dir.toString());
    if (!made.succeeded()) {
      throw new IllegalStateException("mkdir " + dir + " failed: " + made.describe());
    }
    userDirectories.add(dir);
    return dir;
  }

  /** Gives every file below {@code dir} to {@code user}. */
  void chownTree(Path dir, String user) throws Exception {
    CommandResult result =
        cluster.runAs("root", COMMAND_TIMEOUT, "chown", "-R", user + ":" + user, dir.toString());
    if (!result.succeeded()) {
      throw new IllegalStateException("chown failed: " + result.describe());
    }
  }

  /** Submits a job that sleeps on n1 as {@code user} and waits until it runs. */
  long submitRunning(String user, Path dir) throws Exception {
    CommandResult submitted =
        runAs(
            user,
            "sbatch",
            "--parsable",
            "-D",
            dir.toString(),
            "-w",
            NODE,
            "-p",
            cluster.slurmPartition(),
            "--output=/dev/null",
            "--wrap=sleep 600");
    if (!submitted.succeeded()) {
      throw new IllegalStateException("sbatch failed: " + submitted.describe());
    }
    long job = Long.parseLong(submitted.stdout().strip().split(";", -1)[0]);
    jobs.add(job);
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      CommandResult state =
          cluster.runAs(
              "root", COMMAND_TIMEOUT, "squeue", "-h", "-j", Long.toString(job), "-o", "%T");
      if (state.stdout().strip().equals("RUNNING")) {
        return job;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("job " + job + " did not start within 60 s");
  }

  /** Returns the step start request that the SPANK plugin would send. */
  static Request.StepStart stepStart(
      long job, long step, int uid, int gid, Path manifest, Optional<String> script)
      throws Exception {
    StepDetails details =
        new StepDetails(
            Optional.of(1L),
            Optional.of(0L),
            Optional.of(1L),
            Optional.empty(),
            Optional.empty(),
            "--hpcs-secure",
            manifest.toString(),
            ManifestData.of(Files.readAllBytes(manifest)),
            script);
    return new Request.StepStart(job, step, NODE, uid, gid, details);
  }

  /** Deposits a bundle key in OpenBao as the owner. */
  void depositKey(String bundleId, AgeIdentity identity) throws Exception {
    owner.depositKey(bundleId, identity);
  }

  /** Registers a bundle manifest as the owner and returns the manifest's recorded SHA-256. */
  String register(Path manifestFile) throws Exception {
    return owner.register(manifestFile);
  }

  /** Grants a bundle to a user and returns the grant id. */
  String grant(String bundleId, String user, Instant expiresAt) throws Exception {
    return owner.grant(bundleId, user, expiresAt);
  }

  /** Revokes a grant as the owner. */
  void revoke(String grantId) throws Exception {
    owner.revoke(grantId);
  }

  /** Returns the audit records of a job, as an admin reads them. */
  List<AuditEntry> audit(long job) throws Exception {
    return owner.audit(job);
  }

  /** Returns the uid and gid of a user. */
  int[] ids(String user) throws Exception {
    return new int[] {
      Integer.parseInt(runAs(user, "id", "-u").stdout().strip()),
      Integer.parseInt(runAs(user, "id", "-g").stdout().strip())
    };
  }

  CommandResult runAs(String user, String... command) {
    return cluster.runAs(user, COMMAND_TIMEOUT, command);
  }

  private JwtSvidSource timed(JwtSvidSource source) {
    return audience -> {
      long start = System.nanoTime();
      try {
        return source.fetch(audience);
      } finally {
        jwtNanos.add(System.nanoTime() - start);
      }
    };
  }

  /** Starts a server with the stack server's settings, a free port and a database of its own. */
  private static ServerApp startServer(TestCluster cluster, Path stateBase) throws Exception {
    Properties config = new Properties();
    try (var in = Files.newInputStream(cluster.stateDir().resolve("server/server.properties"))) {
      config.load(in);
    }
    Files.createDirectories(stateBase);
    config.setProperty("listen.port", "0");
    config.setProperty("db.url", "jdbc:sqlite:" + stateBase.resolve("server.db"));
    Path file = stateBase.resolve("server.properties");
    try (var out = Files.newBufferedWriter(file)) {
      config.store(out, "SecureJobIT");
    }
    ServerApp app = Main.start(ConfigLoader.load(file));
    // The stack's own server enrolled n1 already; this server's database learns it directly, so
    // the test makes no SPIRE changes.
    try (Database database = Database.open(config.getProperty("db.url"), null, null, 1)) {
      new NodeStore(database)
          .recordEnrolment(NODE, cluster.nodeSpiffeId(NODE), "join-token", Instant.now());
    }
    return app;
  }

  /** Cancels the Slurm jobs submitted so far. */
  void cancelJobs() {
    for (long job : jobs) {
      cluster.runAs("root", COMMAND_TIMEOUT, "scancel", Long.toString(job));
    }
    jobs.clear();
  }

  /** Cancels the test's Slurm jobs and removes the test's base directories. */
  void shutDown() throws Exception {
    cancelJobs();
    serverReporter.close();
    svid.close();
    serverApp.close();
    // A test that failed half-way may leave mounts; rm below would not cross into them.
    Unmounter unmounter = new Unmounter(Path.of("/usr/bin/fusermount3"), Duration.ofSeconds(2));
    for (MountEntry entry : MountTable.read().under(runBase).reversed()) {
      unmounter.unmount(entry.mountPoint());
    }
    List<Path> created = new ArrayList<>(List.of(stateBase, runBase));
    created.addAll(userDirectories);
    for (Path dir : created) {
      cluster.runAs("root", COMMAND_TIMEOUT, "rm", "-rf", "--one-file-system", dir.toString());
    }
  }
}
