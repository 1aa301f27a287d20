package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.testcluster.CommandResult;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * End to end on the test stack: {@code sbatch --hpcs-secure} and {@code srun --hpcs-secure} run
 * jp2a from the encrypted demo image on the encrypted demo picture, through the stack's SPANK
 * plugin, node agents and HPCS server. The owner registers and grants the bundles with the stack's
 * owner key; the job's output comes back as one encrypted part per node. Skipped unless the stack
 * runs node agents and a plugin with the secured pipeline.
 */
@ExtendWith(TestClusterExtension.class)
class SecureSbatchIT {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Path DEMO_SIF = REPO.resolve("build/demo/jp2a.sif");
  private static final Path DEMO_PNG = REPO.resolve("build/demo/astro-logo.png");
  private static final Path AGENT_JAR = Path.of("/usr/lib/hpcs/node-agent/hpcs-node-agent.jar");
  private static final Path PLUGIN = Path.of("/usr/lib/x86_64-linux-gnu/slurm-wlm/spank_hpcs.so");
  private static final String USER = "alice";
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

  private static final List<Path> DIRECTORIES = new java.util.ArrayList<>();
  private static TestCluster cluster;
  private static OwnerClient owner;
  private static KeyPair ownerKey;

  @BeforeAll
  static void open(TestCluster stack) throws Exception {
    cluster = stack;
    RootOnly.assumeRoot();
    assumeTrue(securedStack(), "the stack's node agents or plugin lack the secured pipeline");
    assertThat(DEMO_SIF).as("demo image; run slurm-test-cluster/demo/build-image").exists();
    owner = new OwnerClient(cluster, URI.create(cluster.env("HPCS_SERVER_URL")));
    ownerKey =
        new KeyPair(
            Ed25519Keys.readPublic(Path.of(cluster.env("HPCS_OWNER_SIGNING_PUBLIC_KEY"))),
            Ed25519Keys.readPrivate(Path.of(cluster.env("HPCS_OWNER_SIGNING_KEY"))));
  }

  @AfterAll
  static void deleteDirectories() {
    for (Path dir : DIRECTORIES) {
      cluster.runAs("root", Duration.ofSeconds(30), "rm", "-rf", dir.toString());
    }
  }

  @Test
  void sbatch_demoJob_artInEncryptedOutput() throws Exception {
    Job job = prepare();
    Path script = job.dir().resolve("job.sh");
    Files.writeString(
        script,
        """
        #!/bin/sh
        jp2a --width=60 /hpcs/input/astro-logo.png > /hpcs/output/art.txt
        """);
    JobOutputParts.chown(cluster, USER, job.dir());

    long id =
        submit(job.dir(), "--hpcs-secure=" + job.manifest(), "-w", "n1", "-N1", script.toString());
    awaitGone(id);

    assertThat(scontrol(id)).contains("JobState=COMPLETED");
    Map<String, byte[]> n1 = JobOutputParts.await(job.dir(), id, "n1", job.fixture().output);
    assertThat(new String(n1.get("n1/art.txt"), StandardCharsets.UTF_8))
        .isEqualTo(JobOutputParts.hostJp2a(cluster, DEMO_PNG));
  }

  @Test
  void srun_threeNodes_everyNodesOutputInResult() throws Exception {
    Job job = prepare();
    JobOutputParts.chown(cluster, USER, job.dir());
    String step =
        "srun -N3 --hpcs-secure="
            + job.manifest()
            + " /bin/sh -c 'jp2a --width=60 /hpcs/input/astro-logo.png > /hpcs/output/art.txt'";

    long id = submit(job.dir(), "-N3", "--wrap=" + step);
    awaitGone(id);

    assertThat(scontrol(id)).contains("JobState=COMPLETED");
    for (String node : cluster.slurmNodes()) {
      Map<String, byte[]> part = JobOutputParts.await(job.dir(), id, node, job.fixture().output);
      assertThat(part.keySet())
          .as("part of %s: the art and the empty output file of its task", node)
          .hasSize(3)
          .contains(node + "/", node + "/art.txt")
          .anyMatch(name -> name.matches(node + "/hpcs-step-0\\.[0-2]\\.out"));
      assertThat(new String(part.get(node + "/art.txt"), StandardCharsets.UTF_8))
          .isEqualTo(JobOutputParts.hostJp2a(cluster, DEMO_PNG));
    }
  }

  private record Job(Path dir, Path manifest, BundleFixture fixture) {}

  private Job prepare() throws Exception {
    Path home =
        Path.of(
            cluster
                .runAs(USER, Duration.ofSeconds(30), "sh", "-c", "printf %s \"$HOME\"")
                .stdout());
    Path dir = home.resolve("hpcs-e2e-" + Long.toHexString(RANDOM.nextLong()));
    CommandResult made =
        cluster.runAs(USER, Duration.ofSeconds(30), "mkdir", "-m", "0700", dir.toString());
    assertThat(made.succeeded()).as(made.describe()).isTrue();
    DIRECTORIES.add(dir);
    BundleFixture fixture =
        new BundleFixture(dir, ownerKey, OwnerClient.OWNER, cluster.baoKvMount());
    BundleFixture.Bundle image =
        fixture.create("jp2a", BundleKind.CONTAINER, Files.readAllBytes(DEMO_SIF));
    BundleFixture.Bundle data =
        fixture.create(
            "picture",
            BundleKind.DATA,
            BundleFixture.tar(Map.of("astro-logo.png", Files.readAllBytes(DEMO_PNG))));
    for (BundleFixture.Bundle bundle : List.of(image, data)) {
      owner.depositKey(bundle.manifest().bundleId(), bundle.identity());
      owner.register(bundle.manifestFile());
      owner.grant(bundle.manifest().bundleId(), USER, null);
    }
    fixture.jobManifest(image, data);
    return new Job(dir, fixture.jobManifestPath(), fixture);
  }

  private static long submit(Path dir, String... options) {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("sbatch", "--parsable", "-D", dir.toString(), "--output=slurm-%j.out"));
    command.addAll(List.of(options));
    CommandResult result =
        cluster.runAs(USER, Duration.ofSeconds(30), command.toArray(String[]::new));
    assertThat(result.succeeded()).as(result.describe()).isTrue();
    return Long.parseLong(result.stdout().strip().split(";", -1)[0]);
  }

  private static void awaitGone(long id) throws Exception {
    Instant deadline = Instant.now().plus(JOB_TIMEOUT);
    while (Instant.now().isBefore(deadline)) {
      CommandResult queue =
          cluster.runAs("root", Duration.ofSeconds(30), "squeue", "-h", "-j", Long.toString(id));
      if (queue.stdout().isBlank()) {
        return;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("job " + id + " still queued after " + JOB_TIMEOUT);
  }

  private static String scontrol(long id) {
    return cluster
        .runAs("root", Duration.ofSeconds(30), "scontrol", "-o", "show", "job", Long.toString(id))
        .stdout();
  }

  /** Tells whether the stack's agents and plugin run the secured pipeline with bwrap. */
  private static boolean securedStack() throws Exception {
    if (!Files.exists(AGENT_JAR) || !Files.exists(PLUGIN)) {
      return false;
    }
    try (ZipFile jar = new ZipFile(AGENT_JAR.toFile())) {
      if (jar.getEntry("org/hpcs/agent/secure/SecureJobPipeline.class") == null) {
        return false;
      }
    }
    CommandResult symbols =
        cluster.runAs("root", Duration.ofSeconds(30), "nm", "-D", PLUGIN.toString());
    // nm prints versioned symbols as name@@VERSION.
    boolean taskInit =
        symbols.stdout().lines().anyMatch(l -> l.matches(".* T slurm_spank_task_init(@.*)?"));
    String config = Files.readString(Path.of(cluster.env("HPCS_AGENT_CONFIG_N1")));
    return taskInit && config.lines().anyMatch(l -> l.replace(" ", "").equals("runtime=bwrap"));
  }
}
