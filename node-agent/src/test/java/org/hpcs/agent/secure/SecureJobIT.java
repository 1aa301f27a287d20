package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.job.StepLaunch;
import org.hpcs.agent.mount.MountTable;
import org.hpcs.agent.protocol.Request;
import org.hpcs.common.api.AuditEntry;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.testcluster.CommandResult;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A secured job on node n1 of the test stack, with the agent's pipeline in the test's JVM and
 * everything else real: the HPCS server, SPIRE, OpenBao, Slurm, gocryptfs, squashfuse and bwrap.
 * Random markers in the image, the input and the output never reach a disk file system, neither
 * while the job runs nor after it; the failure cases decrypt nothing and the audit log says why.
 * Needs root, the demo image (slurm-test-cluster/demo/build-image) and the stack's HPCS server.
 */
@ExtendWith(TestClusterExtension.class)
class SecureJobIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path DEMO_SIF = REPO.resolve("build/demo/jp2a.sif");
  private static final Path DEMO_PNG = REPO.resolve("build/demo/astro-logo.png");
  private static final long BATCH = 0xffff_fffbL;
  private static final String USER = "alice";

  private static SecureStack stack;

  @BeforeAll
  static void open(TestCluster cluster) throws Exception {
    RootOnly.assumeRoot();
    assertThat(DEMO_SIF).as("demo image; run slurm-test-cluster/demo/build-image").exists();
    stack = SecureStack.open(cluster);
  }

  @AfterEach
  void endJobs() {
    for (var job : stack.registry.jobs()) {
      stack.registry.endJob(new Request.JobEnd(job.jobId(), SecureStack.NODE));
    }
    stack.cancelJobs();
  }

  @AfterAll
  static void close() throws Exception {
    if (stack != null) {
      stack.shutDown();
    }
  }

  @Test
  void secureJob_demoImage_outputForOwnerAndNoPlaintextOnDisk() throws Exception {
    byte[] imageMarker = marker();
    byte[] inputMarker = marker();
    Job job = grantedJob(USER, imageMarker, inputMarker);
    Path script = job.dir().resolve("job.sh");
    Files.writeString(
        script,
        """
        #!/bin/sh
        jp2a --width=60 /hpcs/input/astro-logo.png > /hpcs/output/art.txt
        tr -d '\\n\\000' < /dev/urandom | head -c 32 > /hpcs/output/rand.bin
        echo "batch script done"
        """);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    stack.chownTree(job.dir(), USER);

    // The batch step runs its script in the container, then an srun-like step runs a command.
    StepLaunch batch = stack.registry.attachStep(job.step(BATCH, Optional.of(script.toString())));
    CommandResult batchRun = runTask(batch, job, List.of(script.toString()));
    StepLaunch step = stack.registry.attachStep(job.step(0, Optional.empty()));
    CommandResult stepRun =
        runTask(
            step,
            job,
            List.of(
                "/bin/sh",
                "-c",
                "sha256sum /hpcs/input/marker.bin | cut -c1-64 > /hpcs/output/digest.txt;"
                    + " env > /hpcs/output/env.txt; cat /proc/self/cmdline > /hpcs/output/cmd"));

    assertThat(batchRun.exitCode()).as(batchRun.describe()).isZero();
    assertThat(stepRun.exitCode()).as(stepRun.describe()).isZero();
    Path outputMount = stack.layout.runDir().resolve(Long.toString(job.id())).resolve("output");
    byte[] outputMarker = Files.readAllBytes(outputMount.resolve("rand.bin"));
    assertThat(outputMarker).hasSize(32);
    Map<String, byte[]> needles = needles(job, imageMarker, inputMarker, outputMarker);
    assertThat(DiskScan.find(scanRoots(job), needles)).as("plaintext while the job runs").isEmpty();

    stack.registry.detachStep(new Request.StepEnd(job.id(), BATCH, SecureStack.NODE));
    stack.registry.detachStep(new Request.StepEnd(job.id(), 0, SecureStack.NODE));
    stack.registry.endJob(new Request.JobEnd(job.id(), SecureStack.NODE));

    Path part = job.dir().resolve("hpcs-output-" + job.id() + ".n1.tar.age");
    assertThat(part).exists();
    assertThat(Files.getAttribute(part, "unix:uid", LinkOption.NOFOLLOW_LINKS))
        .isEqualTo(job.uid());
    Map<String, byte[]> output = JobOutputParts.decrypt(part, job.fixture().output);
    assertThat(output.keySet())
        .contains("n1/", "n1/art.txt", "n1/rand.bin", "n1/digest.txt", "n1/env.txt")
        .contains("n1/hpcs-step-batch.0.out", "n1/hpcs-step-0.0.out");
    assertThat(new String(output.get("n1/hpcs-step-batch.0.out"), StandardCharsets.UTF_8))
        .isEqualTo("batch script done\n");
    assertThat(new String(output.get("n1/art.txt"), StandardCharsets.UTF_8)).isEqualTo(hostJp2a());
    assertThat(output.get("n1/rand.bin")).isEqualTo(outputMarker);
    assertThat(new String(output.get("n1/digest.txt"), StandardCharsets.UTF_8).strip())
        .isEqualTo(DiskScan.hex(Sha256.newDigest().digest(inputMarker)));
    assertContainerEnvironment(new String(output.get("n1/env.txt"), StandardCharsets.UTF_8), job);
    assertThat(DiskScan.find(scanRoots(job), needles)).as("plaintext after the job").isEmpty();
    assertNothingLeft(job);
    assertThat(eventNames(job.id()))
        .containsSubsequence(
            "bundles-verified",
            "key-release",
            "keys-read",
            "mounted",
            "decrypted",
            "container-ready",
            "output-written");
  }

  @Test
  void secureJob_tamperedManifest_failsBeforeKeyRelease() throws Exception {
    Job job = grantedJob(USER, marker(), marker());
    String json = Files.readString(job.data().manifestFile());
    Files.writeString(job.data().manifestFile(), json.replace("2025-01-31T12", "2025-02-01T12"));

    assertStartFails(job, "invalid signature", null);
  }

  @Test
  void secureJob_swappedCiphertext_failsBeforeKeyRelease() throws Exception {
    Job job = grantedJob(USER, marker(), marker());
    Files.copy(job.image().ageFile(), job.data().ageFile(), StandardCopyOption.REPLACE_EXISTING);
    stack.chownTree(job.dir(), USER);

    assertStartFails(job, "ship the bundle again", null);
  }

  @Test
  void secureJob_revokedGrant_deniedByServer() throws Exception {
    Job job = grantedJob(USER, marker(), marker());
    stack.revoke(job.grantId());

    assertStartFails(job, "grant-revoked", "grant-revoked");
  }

  @Test
  void secureJob_expiredGrant_deniedByServer() throws Exception {
    Job job = jobWithGrant(USER, USER, Instant.now().plusSeconds(3), marker(), marker());
    Thread.sleep(4000);

    assertStartFails(job, "grant-expired", "grant-expired");
  }

  @Test
  void secureJob_userWithoutGrant_deniedByServer() throws Exception {
    Job job = jobWithGrant("bob", USER, null, marker(), marker());

    assertStartFails(job, "grant-missing", "grant-missing");
  }

  /** The step fails naming the cause, nothing is decrypted, and the audit log records why. */
  private void assertStartFails(Job job, String cause, String auditReason) throws Exception {
    assertThatThrownBy(() -> stack.registry.attachStep(job.step(0, Optional.empty())))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining(cause)
        .hasMessageContaining("job " + job.id() + " on n1");

    assertThat(eventNames(job.id())).doesNotContain("keys-read", "decrypted");
    assertNothingLeft(job);
    List<AuditEntry> audit = awaitAudit(job.id(), cause);
    if (auditReason != null) {
      assertThat(audit).extracting(AuditEntry::reason).contains(auditReason);
    }
    stack.registry.endJob(new Request.JobEnd(job.id(), SecureStack.NODE));
  }

  private List<AuditEntry> awaitAudit(long jobId, String text) throws Exception {
    Instant deadline = Instant.now().plusSeconds(20);
    List<AuditEntry> audit = stack.audit(jobId);
    while (audit.stream().noneMatch(e -> mentions(e, text)) && Instant.now().isBefore(deadline)) {
      Thread.sleep(300);
      audit = stack.audit(jobId);
    }
    assertThat(audit).as("audit records of job %d", jobId).anyMatch(e -> mentions(e, text));
    return audit;
  }

  private static boolean mentions(AuditEntry entry, String text) {
    return String.valueOf(entry.reason()).contains(text)
        || String.valueOf(entry.detail()).contains(text);
  }

  /**
   * A job of {@code user} with an image and a dataset; the owner granted them to {@code grantee}.
   */
  private record Job(
      long id,
      int uid,
      int gid,
      Path dir,
      BundleFixture fixture,
      BundleFixture.Bundle image,
      BundleFixture.Bundle data,
      String grantId) {
    Request.StepStart step(long step, Optional<String> script) throws Exception {
      return SecureStack.stepStart(id, step, uid, gid, fixture.jobManifestPath(), script);
    }
  }

  private Job grantedJob(String user, byte[] imageMarker, byte[] inputMarker) throws Exception {
    return jobWithGrant(user, user, null, imageMarker, inputMarker);
  }

  private Job jobWithGrant(
      String user, String grantee, Instant expiresAt, byte[] imageMarker, byte[] inputMarker)
      throws Exception {
    int[] ids = stack.ids(user);
    Path dir = stack.userDirectory(user, "hpcs-secure-it-" + Long.toHexString(RANDOM.nextLong()));
    BundleFixture fixture =
        new BundleFixture(dir, stack.ownerKey, SecureStack.OWNER, stack.cluster.baoKvMount());
    BundleFixture.Bundle image =
        fixture.create(
            "jp2a", BundleKind.CONTAINER, withMarker(Files.readAllBytes(DEMO_SIF), imageMarker));
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("astro-logo.png", Files.readAllBytes(DEMO_PNG));
    files.put("marker.bin", inputMarker);
    BundleFixture.Bundle data = fixture.create("input", BundleKind.DATA, BundleFixture.tar(files));
    String grantId = null;
    for (BundleFixture.Bundle bundle : List.of(image, data)) {
      stack.depositKey(bundle.manifest().bundleId(), bundle.identity());
      stack.register(bundle.manifestFile());
      grantId = stack.grant(bundle.manifest().bundleId(), grantee, expiresAt);
    }
    fixture.jobManifest(image, data);
    stack.chownTree(dir, user);
    long id = stack.submitRunning(user, dir);
    return new Job(id, ids[0], ids[1], dir, fixture, image, data, grantId);
  }

  /**
   * Runs task 0 the way the SPANK plugin does: its output into the launch file's task output file,
   * then the launch file's prefix and the task's argv.
   */
  private CommandResult runTask(StepLaunch launch, Job job, List<String> taskArgv)
      throws Exception {
    List<String> elements = launchElements(launch.launchFile());
    assertThat(elements.subList(0, 1)).containsExactly(LaunchFiles.MAGIC);
    assertThat(Path.of(elements.get(2)).getParent())
        .isEqualTo(stack.layout.runDir().resolve(Long.toString(job.id())).resolve("output"));
    List<String> argv =
        new ArrayList<>(
            List.of("/bin/sh", "-c", "exec >>\"$0.0.out\" 2>&1; exec \"$@\"", elements.get(2)));
    argv.addAll(elements.subList(3, elements.size()));
    argv.addAll(elements.get(1).equals("args") ? taskArgv.subList(1, taskArgv.size()) : taskArgv);
    List<String> command =
        new ArrayList<>(
            List.of(
                "setpriv",
                "--reuid=" + job.uid(),
                "--regid=" + job.gid(),
                "--init-groups",
                "env",
                "-i",
                "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
                "VAULT_TOKEN=planted-token-" + Long.toHexString(RANDOM.nextLong())));
    command.addAll(argv);
    return stack.runAs("root", command.toArray(String[]::new));
  }

  private static List<String> launchElements(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    List<String> elements = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        elements.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    return elements;
  }

  private static void assertContainerEnvironment(String env, Job job) {
    List<String> names = env.lines().map(l -> l.substring(0, l.indexOf('='))).sorted().toList();
    assertThat(names)
        .isSubsetOf(
            "HOME",
            "USER",
            "LOGNAME",
            "PATH",
            "PWD",
            "SHLVL",
            "_",
            "HPCS_JOB_ID",
            "HPCS_STEP_ID",
            "HPCS_NODE",
            "HPCS_INPUT",
            "HPCS_OUTPUT");
    assertThat(env).contains("HPCS_JOB_ID=" + job.id()).contains("HPCS_NODE=n1");
    assertThat(env).doesNotContain("VAULT_TOKEN").doesNotContain("SLURM_");
  }

  private Map<String, byte[]> needles(
      Job job, byte[] imageMarker, byte[] inputMarker, byte[] outputMarker) {
    Map<String, byte[]> named = new LinkedHashMap<>();
    named.put("the image marker", imageMarker);
    named.put("the input marker", inputMarker);
    named.put("the output marker", outputMarker);
    named.put(
        "the output digest",
        DiskScan.hex(Sha256.newDigest().digest(inputMarker)).getBytes(StandardCharsets.US_ASCII));
    named.put(
        "the image key", job.image().identity().secretText().getBytes(StandardCharsets.US_ASCII));
    named.put(
        "the dataset key", job.data().identity().secretText().getBytes(StandardCharsets.US_ASCII));
    return DiskScan.needles(named);
  }

  /** The agent's state, /tmp, /var/tmp, the job's working directory, /var/lib/hpcs*, /run/hpcs*. */
  private static List<Path> scanRoots(Job job) throws Exception {
    List<Path> roots = new ArrayList<>(List.of(Path.of("/tmp"), Path.of("/var/tmp"), job.dir()));
    for (Path parent : List.of(Path.of("/var/lib"), Path.of("/run"))) {
      try (var entries = Files.newDirectoryStream(parent, "hpcs*")) {
        entries.forEach(roots::add);
      }
    }
    return roots;
  }

  private static void assertNothingLeft(Job job) throws Exception {
    String id = Long.toString(job.id());
    assertThat(MountTable.read().under(stack.layout.runDir().resolve(id))).as("mounts").isEmpty();
    assertThat(stack.layout.stateDir().resolve(id)).as("cipher directories").doesNotExist();
    assertThat(stack.layout.runDir().resolve(id)).as("mount points").doesNotExist();
    if (Files.isDirectory(stack.launchDir)) {
      try (var files = Files.newDirectoryStream(stack.launchDir, id + ".*")) {
        assertThat(files).as("launch files").isEmpty();
      }
    }
  }

  private static List<String> eventNames(long jobId) {
    return stack.events.stream().filter(e -> e.jobId() == jobId).map(e -> e.event()).toList();
  }

  /**
   * Returns what the host's jp2a (the same Debian package as in the image) makes of the picture.
   */
  private static String hostJp2a() {
    CommandResult result = stack.runAs("root", "jp2a", "--width=60", DEMO_PNG.toString());
    assertThat(result.exitCode()).as(result.describe()).isZero();
    return result.stdout();
  }

  private static byte[] withMarker(byte[] sif, byte[] marker) {
    byte[] image = new byte[sif.length + marker.length];
    System.arraycopy(sif, 0, image, 0, sif.length);
    System.arraycopy(marker, 0, image, sif.length, marker.length);
    return image;
  }

  /** Returns 32 random bytes without line feed or NUL, so that grep takes them as one pattern. */
  private static byte[] marker() {
    byte[] marker = new byte[32];
    for (int i = 0; i < marker.length; i++) {
      do {
        marker[i] = (byte) RANDOM.nextInt(256);
      } while (marker[i] == '\n' || marker[i] == 0);
    }
    return marker;
  }
}
