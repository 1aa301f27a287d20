package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.client.vault.VaultSession;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeIdentities;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.common.job.JobManifest;
import org.hpcs.common.job.JobManifestCodec;
import org.hpcs.testcluster.TestCluster;
import org.hpcs.testcluster.TestClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The owner's and the cluster user's commands against the real stack: OpenBao, sshd and Slurm, and
 * the real HPCS server started in this JVM. The owner creates, registers and ships bundles, grants
 * them to alice, lists and revokes the grants, and reads the audit trail. Then a job is submitted
 * with sbatch, and a job output file in the agreed format is fetched, decrypted and extracted.
 *
 * <p>NOTE: the stack runs no node agent yet, so the submitted job fails on its node; the test
 * checks the submission (job id, script and job manifest on the cluster), not the job's result.
 */
@ExtendWith(TestClusterExtension.class)
class SecuredJobFlowIT {
  @TempDir Path dir;

  private TestCluster cluster;
  private String run;
  private String remoteDir;

  @Test
  void securedJobFlow_realStack_grantSubmitOutputAudit(TestCluster stack) throws Exception {
    stack.assumeOpenBao();
    stack.assumeSpire();
    cluster = stack;
    run = HexFormat.of().formatHex(SecureRandom.getSeed(3));
    remoteDir = "hpcs-it-" + run;
    String serverToken =
        VaultSession.open(cluster.baoAddr(), null, cluster.baoKvMount())
            .loginUserpass(
                cluster.baoUserpassMount(),
                cluster.baoAdminUser(),
                cluster.userPassword(cluster.baoAdminUser()));

    try (InProcessServer server =
        InProcessServer.start(cluster, dir.resolve("server"), serverToken)) {
      Path owner = login("owner", server, true);
      Path alice = login("alice", server, true);
      Path bob = login("bob", server, true);

      // The owner creates two bundles; bundle create registers each with the server.
      BundleManifest image = createBundle(owner, "--image", buildSif().toString(), server);
      BundleManifest data = createBundle(owner, "--data", buildDataset().toString(), server);
      CliRunner.Result again =
          cli(owner, "bundle", "register", dir.resolve("bundles/image.manifest.json").toString());
      assertOk(again);
      assertThat(again.out())
          .contains(Sha256.ofFile(dir.resolve("bundles/image.manifest.json")).hex());

      // Grant, list (both sides), revoke and list again.
      CliRunner.Result grant =
          cli(
              owner,
              "grant",
              image.bundleId(),
              "alice",
              "--partition",
              cluster.slurmPartition(),
              "--expires",
              "2h");
      assertOk(grant);
      String grantId = grant.out().strip();
      assertThat(grantId).startsWith("g-");
      assertThat(grant.err()).contains("granted bundle " + image.bundleId() + " to alice");
      CliRunner.Result listed = cli(owner, "grants", "--bundle", image.bundleId());
      assertOk(listed);
      assertThat(rowOf(listed.out(), grantId))
          .contains("alice")
          .contains(cluster.slurmPartition())
          .endsWith("live");
      CliRunner.Result received = cli(alice, "grants", "--received");
      assertOk(received);
      assertThat(rowOf(received.out(), grantId)).contains("owner");
      CliRunner.Result foreign = cli(bob, "revoke", grantId);
      assertThat(foreign.exitCode()).isEqualTo(1);
      assertThat(foreign.err()).contains("HTTP 403 (not-bundle-owner)");
      CliRunner.Result revoked = cli(owner, "revoke", grantId);
      assertOk(revoked);
      assertThat(revoked.out()).contains("revoked grant " + grantId);
      assertThat(rowOf(cli(owner, "grants").out(), grantId)).endsWith("revoked");

      // The audit trail shows registration, grant and revocation, and a denial for bob.
      CliRunner.Result audit = cli(owner, "audit", "--bundle", image.bundleId());
      assertOk(audit);
      assertThat(audit.out().lines().findFirst())
          .hasValueSatisfying(h -> assertThat(h).startsWith("TIME").contains("REASON"));
      assertThat(audit.out())
          .contains("bundle.register")
          .contains("grant.create")
          .contains("grant.revoke")
          .contains("not-bundle-owner");

      // A client that does not trust the server's CA gets the TLS hint.
      Path untrusting = config("owner-no-ca", "owner", server, false);
      CliRunner.Result tls = CliRunner.run("grants", "--config", untrusting.toString());
      assertThat(tls.exitCode()).isEqualTo(1);
      assertThat(tls.err()).contains("TLS connection").contains("hint: set server.ca-file");

      // Alice ships and submits a job on both bundles.
      assertOk(cli(owner, "bundle", "ship", dir.resolve("bundles/image.manifest.json").toString()));
      assertOk(cli(owner, "bundle", "ship", dir.resolve("bundles/data.manifest.json").toString()));
      checkSubmission(owner, image, data);
      checkOutput(owner);
    } finally {
      cleanUpRemote();
    }
  }

  private void checkSubmission(Path config, BundleManifest image, BundleManifest data)
      throws Exception {
    Path jobFiles = Files.createDirectories(dir.resolve("job-files"));
    CliRunner.Result submit =
        cli(
            config,
            "job",
            "submit",
            "--image",
            dir.resolve("bundles/image.manifest.json").toString(),
            "--data",
            dir.resolve("bundles/data.manifest.json").toString(),
            "--nodes",
            "1",
            "--partition",
            cluster.slurmPartition(),
            "--time",
            "2:00",
            "--name",
            "it-" + run,
            "--out-dir",
            jobFiles.toString(),
            "--",
            "/bin/echo",
            "two words",
            "$HOME");
    assertOk(submit);
    String jobId = submit.out().strip();
    assertThat(jobId).matches("[0-9]+");

    try (ClusterConnection ssh = connect()) {
      String absoluteDir = ssh.absolutePath(remoteDir);
      String ls = ssh.execute("ls " + remoteDir);
      String stem = ls.lines().filter(name -> name.endsWith(".sbatch")).findFirst().orElseThrow();
      stem = stem.substring(0, stem.length() - ".sbatch".length());
      String script = ssh.execute("cat " + remoteDir + "/" + stem + ".sbatch");
      assertThat(script.lines().toList().subList(0, 7))
          .containsExactly(
              "#!/bin/bash",
              "#SBATCH --hpcs-secure=" + absoluteDir + "/" + stem + ".job.json",
              "#SBATCH --job-name=it-" + run,
              "#SBATCH --chdir=" + absoluteDir,
              "#SBATCH --nodes=1",
              "#SBATCH --partition=" + cluster.slurmPartition(),
              "#SBATCH --time=2:00");
      assertThat(script).endsWith("\nexec /bin/echo 'two words' '$HOME'\n");
      byte[] jobManifest =
          ssh.execute("cat " + remoteDir + "/" + stem + ".job.json")
              .getBytes(StandardCharsets.UTF_8);
      assertThat(JobManifestCodec.parse(jobManifest, "remote job manifest"))
          .isEqualTo(JobManifest.of(image.manifestFileName(), List.of(data.manifestFileName())));
      assertThat(jobFiles.resolve(stem + ".sbatch")).hasContent(script);
    }

    // slurmctld has a record of the job. Its state depends on the node agents and the server
    // they use, so the test checks only that the record is shown.
    CliRunner.Result status = cli(config, "job", "status", jobId);
    assertOk(status);
    assertThat(status.out())
        .contains("job " + jobId)
        .contains("it-" + run)
        .contains("alice")
        .containsPattern("JobState\\s+[A-Z_]+")
        .contains("audit");
  }

  private void checkOutput(Path config) throws Exception {
    // Job output parts as the node agents write them, one per node, for a job id slurmctld does not
    // know, so
    // that hpcs looks in ssh.remote-dir.
    String jobId = "9999" + (100000 + new SecureRandom().nextInt(800000));
    AgeIdentity ownerOutput =
        AgeIdentities.read(dir.resolve("owner/keys/output-identity.txt")).get(0);
    try (ClusterConnection ssh = connect()) {
      for (String node : List.of("n1", "n2")) {
        byte[] part = encrypt(tar(node + "/result.txt", "done on " + node + "\n"), ownerOutput);
        String name = "hpcs-output-" + jobId + "." + node + ".tar.age";
        Path local = Files.write(dir.resolve(name), part);
        ssh.upload(local, remoteDir + "/" + name, Sha256.ofFile(local).hex(), n -> {});
      }
    }

    Path wrongIdentity = dir.resolve("wrong-identity.txt");
    Files.writeString(wrongIdentity, AgeIdentity.generate().secretText() + "\n");
    Path denied = dir.resolve("output-denied");
    CliRunner.Result wrong =
        cli(
            config,
            "job",
            "output",
            jobId,
            "-o",
            denied.toString(),
            "--identity",
            wrongIdentity.toString());
    assertThat(wrong.exitCode()).isEqualTo(1);
    assertThat(denied).doesNotExist();

    Path target = dir.resolve("output");
    CliRunner.Result output = cli(config, "job", "output", jobId, "-o", target.toString());
    assertOk(output);
    assertThat(output.out())
        .contains("2 files")
        .contains("n1/result.txt")
        .contains("n2/result.txt");
    assertThat(target.resolve("n1/result.txt")).hasContent("done on n1\n");
    assertThat(target.resolve("n2/result.txt")).hasContent("done on n2\n");
  }

  private Path login(String user, InProcessServer server, boolean trustCa) throws Exception {
    Path config = config(user, user, server, trustCa);
    Path password = dir.resolve(user + ".password");
    Files.writeString(password, cluster.userPassword(user) + "\n");
    assertOk(CliRunner.run("keygen", "--config", config.toString()));
    assertOk(
        CliRunner.run(
            "login", "--config", config.toString(), "--password-file", password.toString()));
    return config;
  }

  private Path config(String name, String vaultUser, InProcessServer server, boolean trustCa)
      throws Exception {
    Path home = Files.createDirectories(dir.resolve(name));
    String text =
        String.join(
            "\n",
            "server.url=" + server.url(),
            trustCa ? "server.ca-file=" + server.caFile() : "",
            "vault.url=" + cluster.baoAddr(),
            "vault.auth.mount=" + cluster.baoUserpassMount(),
            "vault.username=" + vaultUser,
            "vault.kv.mount=" + cluster.baoKvMount(),
            "ssh.host=" + cluster.sshHost(),
            "ssh.port=" + cluster.sshPort(),
            "ssh.user=alice",
            "ssh.key=" + cluster.sshKey("alice"),
            "ssh.known-hosts=" + cluster.sshKnownHosts(),
            "ssh.remote-dir=" + remoteDir,
            "keys.dir=" + home.resolve("keys"),
            "token.file=" + (trustCa ? home : dir.resolve(vaultUser)).resolve("vault-token"),
            "");
    return Files.writeString(home.resolve("config.properties"), text, StandardCharsets.UTF_8);
  }

  private BundleManifest createBundle(
      Path config, String kind, String input, InProcessServer server) throws Exception {
    Path out = Files.createDirectories(dir.resolve("bundles"));
    String name = kind.equals("--image") ? "image" : "data";
    CliRunner.Result create =
        cli(config, "bundle", "create", kind, input, "--name", name, "--out-dir", out.toString());
    assertOk(create);
    Path manifestPath = out.resolve(name + ".manifest.json");
    assertThat(create.out())
        .contains("registered with " + server.url())
        .contains(Sha256.ofFile(manifestPath).hex());
    return ManifestCodec.read(manifestPath);
  }

  /** Runs hpcs with the configuration; {@code --config} goes before a {@code --}, if any. */
  private static CliRunner.Result cli(Path config, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    int end = all.indexOf("--");
    all.addAll(end < 0 ? all.size() : end, List.of("--config", config.toString()));
    return CliRunner.run(all.toArray(String[]::new));
  }

  private static String rowOf(String table, String grantId) {
    return table.lines().filter(line -> line.startsWith(grantId)).findFirst().orElseThrow();
  }

  private ClusterConnection connect() throws Exception {
    return ClusterConnection.connect(
        cluster.sshHost(),
        cluster.sshPort(),
        "alice",
        cluster.sshKey("alice"),
        cluster.sshKnownHosts());
  }

  private void cleanUpRemote() {
    if (cluster == null) {
      return;
    }
    try (ClusterConnection ssh = connect()) {
      ssh.run("rm -rf -- " + remoteDir, Duration.ofSeconds(30));
    } catch (Exception e) {
      // The remote directory holds only ciphertext and test files; a later run uses a new name.
    }
  }

  private Path buildSif() throws Exception {
    Path rootfs = Files.createDirectories(dir.resolve("rootfs"));
    Files.writeString(rootfs.resolve("hello.txt"), "hello from a bundled image\n");
    Path squashfs = dir.resolve("rootfs.sqsh");
    exec("mksquashfs", rootfs.toString(), squashfs.toString(), "-noappend", "-quiet");
    Path sif = dir.resolve("image.sif");
    exec("siftool", "new", sif.toString());
    exec(
        "siftool",
        "add",
        sif.toString(),
        squashfs.toString(),
        "--datatype",
        "4",
        "--parttype",
        "1",
        "--partfs",
        "1",
        "--partarch",
        "2");
    return sif;
  }

  private Path buildDataset() throws Exception {
    Path data = Files.createDirectories(dir.resolve("dataset/sub"));
    Files.writeString(data.resolve("records.csv"), "id,value\n1,42\n");
    return data.getParent();
  }

  private static byte[] tar(String... namesAndContents) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (int i = 0; i < namesAndContents.length; i += 2) {
        byte[] content = namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry(namesAndContents[i]);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static byte[] encrypt(byte[] plaintext, AgeIdentity owner) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AgeEncryptor.encrypt(
        Channels.newChannel(new ByteArrayInputStream(plaintext)),
        Channels.newChannel(out),
        List.of(owner.recipient()),
        false,
        n -> {});
    return out.toByteArray();
  }

  private static void assertOk(CliRunner.Result result) {
    assertThat(result.exitCode()).as(result.err()).isZero();
  }

  private static void exec(String... command) throws Exception {
    Process process = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }
}
