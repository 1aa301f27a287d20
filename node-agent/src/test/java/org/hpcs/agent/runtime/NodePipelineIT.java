package org.hpcs.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.hpcs.agent.mount.FusePreflight;
import org.hpcs.agent.mount.FuseTools;
import org.hpcs.agent.mount.GocryptfsMount;
import org.hpcs.agent.mount.JobWorkspace;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.mount.MountHolder;
import org.hpcs.agent.mount.MountTable;
import org.hpcs.agent.mount.PlaintextFile;
import org.hpcs.agent.mount.TeardownReport;
import org.hpcs.agent.mount.Unmounter;
import org.hpcs.agent.mount.WorkspaceLayout;
import org.hpcs.agent.sif.SifImage;
import org.hpcs.agent.testsupport.TestUsers;
import org.hpcs.common.crypto.Sha256;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The node side of one secured job with the real gocryptfs, FUSE, squashfuse and bwrap. The test
 * runs the preflight, makes three encrypted mounts, streams the demo image and picture in, runs
 * jp2a in a bwrap container as a non-root user and checks that teardown leaves nothing behind. Runs
 * as root.
 */
class NodePipelineIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path DEMO_SIF = REPO.resolve("build/demo/jp2a.sif");
  private static final Path DEMO_PNG = REPO.resolve("build/demo/astro-logo.png");

  private static Path base;
  private static WorkspaceLayout layout;
  private static FuseTools tools;
  private static JobUser user;

  @BeforeAll
  static void setUp() throws Exception {
    assertThat(DEMO_SIF).as("demo image; run slurm-test-cluster/demo/build-image").exists();
    assertThat(DEMO_PNG).as("demo picture; run slurm-test-cluster/demo/build-image").exists();
    int[] ids = TestUsers.ensureJobUser();
    user = new JobUser(TestUsers.JOB_USER, ids[0], ids[1]);
    base =
        Files.createTempDirectory(
            "hpcs-rt-it-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwx--x--x"));
    layout = new WorkspaceLayout(base.resolve("state"), base.resolve("run"), Duration.ofSeconds(2));
    tools = new FusePreflight(FusePreflight.Host.current()).check();
  }

  @AfterAll
  static void tearDown() throws Exception {
    assertThat(MountTable.read().under(base)).as("mounts left below " + base).isEmpty();
    try (Stream<Path> paths = Files.walk(base)) {
      for (Path path : paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.delete(path);
      }
    }
  }

  @Test
  void pipeline_demoJob_writesArtAndLeavesNothing() throws Exception {
    byte[] marker = randomBytes(32);
    JobWorkspace workspace = JobWorkspace.create(layout, tools, newJobId(), user.owner());
    GocryptfsMount image = workspace.mountEncrypted("image");
    GocryptfsMount input = workspace.mountEncrypted("input");
    GocryptfsMount output = workspace.mountEncrypted("output");

    String streamedSha = streamFile(DEMO_SIF, image, "jp2a.sif");
    writeWithMarker(input, "astro-logo.png", Files.readAllBytes(DEMO_PNG), marker);
    String expectedSha = ImageCheck.sha256(DEMO_SIF);
    assertThat(streamedSha).isEqualTo(expectedSha);
    assertThat(SifImage.open(image.mountPoint().resolve("jp2a.sif")).rootPartition().offset())
        .as("siftool list shows the partition at 32768")
        .isEqualTo(32768L);

    ContainerSpec spec =
        new ContainerSpec(
            image.mountPoint().resolve("jp2a.sif"),
            expectedSha,
            input.mountPoint(),
            output.mountPoint(),
            user,
            List.of(
                "/bin/sh",
                "-c",
                "jp2a --width=40 /hpcs/input/astro-logo.png > /hpcs/output/art.txt"),
            EnvironmentAllowList.of(Map.of("LC_ALL", "C")));
    PreparedContainer container = new BwrapRuntime(bwrap()).prepare(spec, workspace);
    workspace.handOver();

    Map<String, String> planted = plantedSecrets();
    assertPlantedSecretsReachTheLauncher(planted);
    TestUsers.Result run = runAsJobUser(container.argv(), planted);
    assertThat(run.exitCode()).as(run.output()).isZero();

    String art = Files.readString(output.mountPoint().resolve("art.txt"), StandardCharsets.UTF_8);
    assertThat(art.lines().count()).isGreaterThan(5);
    assertThat(art.lines()).allSatisfy(line -> assertThat(line).hasSize(40));
    assertThat(art.chars()).allMatch(c -> c == '\n' || (c >= 0x20 && c < 0x7f));
    assertThat(art.strip()).isNotEmpty();

    String probe = runProbe(container, spec, planted);
    assertProbe(probe, planted);
    assertNoSecretOnCommandLines(container, spec, planted);
    assertNoMarkerIn(workspace.stateDir(), marker);

    Path cipherDir = image.cipherDir();
    container.close();
    TeardownReport report = workspace.teardown();
    assertThat(report.unmounts()).hasSize(4);
    assertThat(MountTable.read().under(workspace.runDir())).isEmpty();
    assertThat(workspace.runDir()).doesNotExist();
    assertThat(workspace.stateDir()).doesNotExist();
    assertThat(cipherDir).doesNotExist();
    assertThat(image.isServing()).as("gocryptfs for the image still runs").isFalse();
    assertThat(output.isServing()).as("gocryptfs for the output still runs").isFalse();
  }

  @Test
  void teardown_processWithCwdInOutput_isEndedAndLogged() throws Exception {
    ListAppender<ILoggingEvent> logs = captureLogs();
    JobWorkspace workspace = JobWorkspace.create(layout, tools, newJobId(), user.owner());
    GocryptfsMount output = workspace.mountEncrypted("output");
    workspace.handOver();
    Process sleeper =
        new ProcessBuilder(
                "setpriv",
                "--reuid=" + user.uid(),
                "--regid=" + user.gid(),
                "--clear-groups",
                "sleep",
                "1000")
            .directory(output.mountPoint().toFile())
            .start();
    awaitCommand(sleeper, "sleep");

    TeardownReport report = workspace.teardown();

    assertThat(report.endedHolders()).extracting(MountHolder::pid).contains(sleeper.pid());
    assertThat(sleeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(MountTable.read().at(output.mountPoint())).isEmpty();
    assertThat(workspace.runDir()).doesNotExist();
    assertThat(logs.list)
        .extracting(ILoggingEvent::getFormattedMessage)
        .anyMatch(m -> m.contains("Process " + sleeper.pid() + " (sleep) holds"));
  }

  /** Waits until setpriv has executed {@code name}, so the teardown log names that program. */
  private static void awaitCommand(Process process, String name) throws Exception {
    Path comm = Path.of("/proc", Long.toString(process.pid()), "comm");
    for (int i = 0; i < 100 && process.isAlive(); i++) {
      if (Files.readString(comm).strip().equals(name)) {
        return;
      }
      Thread.sleep(50);
    }
    assertThat(Files.readString(comm).strip())
        .as("program of pid %d", process.pid())
        .isEqualTo(name);
  }

  @Test
  void teardown_processLeftInContainer_isEndedThroughItsNamespace() throws Exception {
    JobWorkspace workspace = JobWorkspace.create(layout, tools, newJobId(), user.owner());
    GocryptfsMount image = workspace.mountEncrypted("image");
    GocryptfsMount input = workspace.mountEncrypted("input");
    GocryptfsMount output = workspace.mountEncrypted("output");
    String sha = streamFile(DEMO_SIF, image, "jp2a.sif");
    ContainerSpec spec =
        new ContainerSpec(
            image.mountPoint().resolve("jp2a.sif"),
            sha,
            input.mountPoint(),
            output.mountPoint(),
            user,
            List.of("/bin/sh", "-c", "sleep 1000"),
            EnvironmentAllowList.empty());
    PreparedContainer container = new BwrapRuntime(bwrap()).prepare(spec, workspace);
    workspace.handOver();
    List<String> argv = new ArrayList<>(List.of("runuser", "-u", TestUsers.JOB_USER, "--"));
    argv.addAll(container.argv());
    Process launcher = new ProcessBuilder(argv).redirectErrorStream(true).start();
    long sleepPid = awaitDescendant(launcher, "sleep");

    TeardownReport report = workspace.teardown();

    assertThat(report.endedHolders()).extracting(MountHolder::pid).contains(sleepPid);
    assertThat(ProcessHandle.of(sleepPid).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
    assertThat(launcher.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(MountTable.read().under(workspace.runDir())).isEmpty();
    container.close();
  }

  @Test
  void adopt_earlierWorkspace_runsAndTearsDown() throws Exception {
    String jobId = newJobId();
    JobWorkspace earlier = JobWorkspace.create(layout, tools, jobId, user.owner());
    GocryptfsMount image = earlier.mountEncrypted("image");
    GocryptfsMount input = earlier.mountEncrypted("input");
    GocryptfsMount output = earlier.mountEncrypted("output");
    String sha = streamFile(DEMO_SIF, image, "jp2a.sif");
    ContainerSpec spec =
        new ContainerSpec(
            image.mountPoint().resolve("jp2a.sif"),
            sha,
            input.mountPoint(),
            output.mountPoint(),
            user,
            List.of("/bin/sh", "-c", "echo taken over > /hpcs/output/note.txt"),
            EnvironmentAllowList.empty());
    new BwrapRuntime(bwrap()).prepare(spec, earlier);
    earlier.handOver();

    JobWorkspace adopted =
        JobWorkspace.adopt(
            layout,
            tools,
            jobId,
            user.owner(),
            List.of("image", "input", "output"),
            List.of("rootfs"));
    PreparedContainer container = new BwrapRuntime(bwrap()).adopt(spec, adopted);
    TestUsers.Result run = runAsJobUser(container.argv(), Map.of());

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(output.mountPoint().resolve("note.txt")).hasContent("taken over");
    assertThat(adopted.encryptedNames()).containsExactly("image", "input", "output");
    container.close();
    TeardownReport report = adopted.teardown();
    assertThat(report.unmounts()).hasSize(4);
    assertThat(MountTable.read().under(adopted.runDir())).isEmpty();
    assertThat(adopted.stateDir()).doesNotExist();
    assertThat(image.cipherDir()).doesNotExist();
    assertThatThrownBy(
            () -> JobWorkspace.adopt(layout, tools, jobId, user.owner(), List.of(), List.of()))
        .isInstanceOf(MountException.class)
        .hasMessageContaining("are not both there");
  }

  @Test
  void adopt_mountGone_failsNamingMount() throws Exception {
    String jobId = newJobId();
    JobWorkspace earlier = JobWorkspace.create(layout, tools, jobId, user.owner());
    earlier.mountEncrypted("input");
    GocryptfsMount output = earlier.mountEncrypted("output");
    earlier.handOver();
    new Unmounter(tools.fusermount(), Duration.ofSeconds(2)).unmount(output.mountPoint());

    assertThatThrownBy(
            () ->
                JobWorkspace.adopt(
                    layout, tools, jobId, user.owner(), List.of("input", "output"), List.of()))
        .isInstanceOf(MountException.class)
        .hasMessageContaining("No gocryptfs file system is mounted at " + output.mountPoint());
    assertThat(MountTable.read().under(earlier.runDir())).hasSize(1);
    JobWorkspace.cleanUpStale(layout, tools, jobId);
    assertThat(MountTable.read().under(earlier.runDir())).isEmpty();
    assertThat(earlier.stateDir()).doesNotExist();
  }

  @Test
  void mount_otherUser_getsPermissionDenied() throws Exception {
    Path open = base.resolve("open-" + HexFormat.of().formatHex(randomBytes(4)));
    Files.createDirectories(open.resolve("plain"));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwx------"));
    Path stateDir = open.resolve("state");
    Files.createDirectory(stateDir);
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        open.resolve("plain"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Path point = open.resolve("plain");
    Unmounter unmounter = new Unmounter(tools.fusermount(), Duration.ofSeconds(2));
    try (GocryptfsMount mount =
        GocryptfsMount.create(
            tools,
            stateDir.resolve("c"),
            point,
            user.owner(),
            stateDir.resolve("log"),
            unmounter)) {
      TestUsers.Result owner =
          TestUsers.runAsId(user.uid(), user.gid(), List.of("touch", point + "/mine"));
      TestUsers.Result other =
          TestUsers.runAsId(
              TestUsers.OTHER_UID, TestUsers.OTHER_UID, List.of("ls", point.toString()));

      assertThat(owner.exitCode()).as(owner.output()).isZero();
      assertThat(Files.getAttribute(point.resolve("mine"), "unix:uid")).isEqualTo(user.uid());
      assertThat(other.exitCode()).isNotZero();
      assertThat(other.output()).contains("Permission denied");
      assertThat(gocryptfsCommandLine(mount.cipherDir()))
          .containsExactly(
              tools.gocryptfs().toString(),
              "-fg",
              "-nosyslog",
              "-allow_other",
              mount.cipherDir().toString(),
              point.toString());
    }
    assertThat(MountTable.read().at(point)).isEmpty();
    assertThat(stateDir.resolve("c")).doesNotExist();
  }

  @Test
  void openForWrite_notCommitted_deletesPartialFile() throws Exception {
    JobWorkspace workspace = JobWorkspace.create(layout, tools, newJobId(), user.owner());
    try (workspace) {
      GocryptfsMount input = workspace.mountEncrypted("input");
      Path written;
      try (PlaintextFile file = input.openForWrite("data/part.bin")) {
        file.write(ByteBuffer.wrap(randomBytes(3 * PlaintextFile.BUFFER_SIZE / 2)));
        written = file.path();
        assertThat(written).exists();
      }
      assertThat(written).doesNotExist();
      assertThatThrownBy(() -> input.openForWrite("../escape"))
          .hasMessageContaining("without '..'");
    }
  }

  private static String streamFile(Path source, GocryptfsMount mount, String name)
      throws Exception {
    try (PlaintextFile file = mount.openForWrite(name);
        InputStream in = Files.newInputStream(source)) {
      assertThat(file.copyFrom(in)).isEqualTo(Files.size(source));
      assertThat(file.commit()).isEqualTo(Files.size(source));
      return Sha256.ofFile(file.path()).hex();
    }
  }

  private static void writeWithMarker(
      GocryptfsMount mount, String name, byte[] content, byte[] marker) throws Exception {
    try (PlaintextFile file = mount.openForWrite(name)) {
      file.write(ByteBuffer.wrap(content));
      file.write(ByteBuffer.wrap(marker));
      file.commit();
    }
  }

  private static void assertPlantedSecretsReachTheLauncher(Map<String, String> planted)
      throws Exception {
    TestUsers.Result env = runAsJobUser(List.of("/usr/bin/env"), planted);
    assertThat(env.output())
        .as("the test plants its secrets where bwrap starts")
        .contains("VAULT_TOKEN=" + planted.get("VAULT_TOKEN"));
  }

  private static String runProbe(
      PreparedContainer container, ContainerSpec spec, Map<String, String> planted)
      throws Exception {
    String script =
        String.join(
            "; ",
            "echo debian=$(cat /etc/debian_version)",
            "echo uid=$(id -u) gid=$(id -g)",
            "echo jp2a=$(command -v jp2a)",
            "test -e /usr/share/doc && echo host-doc-visible",
            "test -e /work && echo host-work-visible",
            "test -f /hpcs/input/astro-logo.png && echo input-present",
            "if touch /hpcs/input/x 2>/dev/null; then echo input-writable;"
                + " else echo input-read-only; fi",
            "touch /hpcs/output/probe && echo output-writable",
            "echo ENV-BEGIN",
            "env",
            "echo ENV-END");
    TestUsers.Result result =
        runAsJobUser(withCommand(container, spec, List.of("/bin/sh", "-c", script)), planted);
    assertThat(result.exitCode()).as(result.output()).isZero();
    return result.output();
  }

  private void assertProbe(String probe, Map<String, String> planted) {
    assertThat(probe).containsPattern("debian=12\\.\\d+");
    assertThat(probe).contains("uid=" + user.uid() + " gid=" + user.gid());
    assertThat(probe).contains("jp2a=/usr/bin/jp2a");
    assertThat(probe).doesNotContain("host-doc-visible").doesNotContain("host-work-visible");
    assertThat(probe).contains("input-present").contains("input-read-only");
    assertThat(probe).contains("output-writable");
    String env = probe.substring(probe.indexOf("ENV-BEGIN"), probe.indexOf("ENV-END"));
    List<String> names =
        env.lines().skip(1).filter(l -> l.contains("=")).map(l -> l.split("=", 2)[0]).toList();
    assertThat(names)
        .contains("LC_ALL", "HOME", "PATH", "USER")
        .isSubsetOf("LC_ALL", "HOME", "PATH", "USER", "LOGNAME", "PWD", "SHLVL", "_", "OLDPWD");
    for (Map.Entry<String, String> secret : planted.entrySet()) {
      assertThat(probe).doesNotContain(secret.getKey()).doesNotContain(secret.getValue());
    }
  }

  private static void assertNoSecretOnCommandLines(
      PreparedContainer container, ContainerSpec spec, Map<String, String> planted)
      throws Exception {
    List<String> argv = new ArrayList<>(List.of("runuser", "-u", TestUsers.JOB_USER, "--"));
    argv.addAll(withCommand(container, spec, List.of("/bin/sleep", "5")));
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(planted);
    Process sleeping = builder.start();
    try {
      Thread.sleep(1500);
      assertThat(sleeping.isAlive()).as("container still running").isTrue();
      List<String> commandLines = allCommandLines();
      assertThat(commandLines).anyMatch(c -> c.contains("/bin/sleep"));
      for (String value : planted.values()) {
        assertThat(commandLines).noneMatch(c -> c.contains(value));
      }
    } finally {
      sleeping.destroy();
      sleeping.waitFor();
    }
  }

  private static void assertNoMarkerIn(Path dir, byte[] marker) throws IOException {
    List<Path> files;
    try (Stream<Path> paths = Files.walk(dir)) {
      files = paths.filter(Files::isRegularFile).toList();
    }
    assertThat(files).as("cipher files under " + dir).hasSizeGreaterThan(6);
    for (Path file : files) {
      assertThat(indexOf(Files.readAllBytes(file), marker))
          .as("plaintext marker in " + file)
          .isEqualTo(-1);
    }
  }

  private static List<String> withCommand(
      PreparedContainer container, ContainerSpec spec, List<String> command) {
    List<String> argv = container.argv();
    List<String> prefix = new ArrayList<>(argv.subList(0, argv.size() - spec.command().size()));
    prefix.addAll(command);
    return prefix;
  }

  private static TestUsers.Result runAsJobUser(List<String> argv, Map<String, String> env)
      throws Exception {
    List<String> full = new ArrayList<>(List.of("runuser", "-u", TestUsers.JOB_USER, "--"));
    full.addAll(argv);
    return TestUsers.run(full, env);
  }

  private static Map<String, String> plantedSecrets() {
    Map<String, String> planted = new LinkedHashMap<>();
    planted.put("VAULT_TOKEN", "hvs." + HexFormat.of().formatHex(randomBytes(16)));
    planted.put(
        "AGE_IDENTITY",
        "AGE-SECRET-KEY-1"
            + HexFormat.of().formatHex(randomBytes(16)).toUpperCase(java.util.Locale.ROOT));
    planted.put("HPCS_GOCRYPTFS_PASSWORD", HexFormat.of().formatHex(randomBytes(16)));
    planted.put("SLURM_JOB_ID", "77" + RANDOM.nextInt(1_000_000));
    return planted;
  }

  private static List<String> gocryptfsCommandLine(Path cipherDir) throws IOException {
    for (String line : allCommandLines()) {
      List<String> args = List.of(line.split("\0", -1));
      if (args.contains(cipherDir.toString()) && args.get(0).endsWith("gocryptfs")) {
        return args.subList(0, args.size() - (line.endsWith("\0") ? 1 : 0));
      }
    }
    throw new AssertionError("No gocryptfs process serves " + cipherDir);
  }

  private static List<String> allCommandLines() throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          lines.add(
              new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8));
        } catch (IOException e) {
          // The process ended during the scan.
        }
      }
    }
    return lines;
  }

  private static ListAppender<ILoggingEvent> captureLogs() {
    Logger logger = (Logger) LoggerFactory.getLogger("org.hpcs.agent.mount");
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    return appender;
  }

  private static Path bwrap() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path candidate = Path.of(dir, "bwrap");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError("bwrap not found; install bubblewrap");
  }

  private static long awaitDescendant(Process parent, String command) throws Exception {
    for (int i = 0; i < 200; i++) {
      java.util.Optional<ProcessHandle> match =
          parent
              .descendants()
              .filter(p -> p.info().command().map(c -> c.endsWith("/" + command)).orElse(false))
              .findFirst();
      if (match.isPresent()) {
        return match.get().pid();
      }
      Thread.sleep(50);
    }
    throw new AssertionError("No " + command + " process started below PID " + parent.pid());
  }

  private static String newJobId() {
    return "it-" + HexFormat.of().formatHex(randomBytes(4));
  }

  private static byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    RANDOM.nextBytes(bytes);
    return bytes;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
