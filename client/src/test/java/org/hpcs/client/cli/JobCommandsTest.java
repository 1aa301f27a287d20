package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.job.JobManifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Argument handling and local failures of the job commands; SecuredJobFlowIT submits to the real
 * cluster.
 */
class JobCommandsTest {
  @TempDir Path dir;

  private Path config;
  private Path image;
  private Path data;

  @BeforeEach
  void setUp() throws Exception {
    config = Files.writeString(dir.resolve("config.properties"), "", StandardCharsets.UTF_8);
    image = TestBundles.manifest(dir, "image", BundleKind.CONTAINER);
    data = TestBundles.manifest(dir, "genome", BundleKind.DATA);
  }

  private CliRunner.Result submit(String... args) {
    List<String> all =
        new java.util.ArrayList<>(List.of("job", "submit", "--config", config.toString()));
    all.addAll(List.of(args));
    return CliRunner.run(all.toArray(String[]::new));
  }

  @Test
  void submit_noImage_usageError() {
    CliRunner.Result result = submit("--", "hostname");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("Missing required option: '--image=BUNDLE_MANIFEST'");
  }

  @Test
  void submit_noCommand_usageError() {
    CliRunner.Result result = submit("--image", image.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("COMMAND");
  }

  @Test
  void submit_badSlurmOptions_usageErrorNamingEach() {
    CliRunner.Result result =
        submit(
            "--image",
            image.toString(),
            "--nodes",
            "0",
            "--time",
            "soon",
            "--name",
            "my job",
            "--",
            "hostname");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--nodes 0").contains("--time 'soon'");
    assertThat(result.err()).contains("--name 'my job'");
  }

  @Test
  void submit_badNodesMissingManifest_usageErrorFirst() {
    CliRunner.Result result =
        submit(
            "--image",
            dir.resolve("missing.manifest.json").toString(),
            "--nodes",
            "0",
            "--",
            "true");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--nodes 0");
  }

  @Test
  void submit_optionAfterDoubleDash_isPartOfCommand() {
    CliRunner.Result result = submit("--image", image.toString(), "--", "--nodes", "2");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("command '--nodes' must name a program");
  }

  @Test
  void submit_dataBundleAsImage_exit1() {
    CliRunner.Result result = submit("--image", data.toString(), "--", "hostname");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("--image " + data + " is a data bundle, but --image takes a container bundle");
  }

  @Test
  void submit_imageAsData_exit1() {
    CliRunner.Result result =
        submit("--image", image.toString(), "--data", image.toString(), "--", "hostname");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("is a container bundle, but --data takes a data bundle");
  }

  @Test
  void submit_missingManifest_exit1() {
    CliRunner.Result result =
        submit("--image", dir.resolve("none.manifest.json").toString(), "--", "hostname");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("bundle manifest " + dir.resolve("none.manifest.json"));
  }

  @Test
  void submit_noSshSettings_exit1NamingThem() {
    CliRunner.Result result =
        submit("--image", image.toString(), "--data", data.toString(), "--", "hostname");

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .contains("hpcs job submit needs ssh.host, ssh.user, ssh.key, ssh.known-hosts");
    assertThat(dir).isDirectoryNotContaining("glob:**.sbatch");
  }

  @Test
  void jobManifest_bundlesNextToIt_plainFileNames() throws Exception {
    BundleManifest imageManifest = ManifestCodec.read(image);
    BundleManifest dataManifest = ManifestCodec.read(data);

    JobManifest manifest = JobSubmitCommand.jobManifest(imageManifest, List.of(dataManifest));

    assertThat(manifest.image()).isEqualTo("image.manifest.json");
    assertThat(manifest.data()).containsExactly("genome.manifest.json");
  }

  @Test
  void newStem_twoCalls_distinctAndSafe() {
    String first = JobSubmitCommand.newStem();
    String second = JobSubmitCommand.newStem();

    assertThat(first).matches("job-[0-9]{8}-[0-9]{6}-[0-9a-f]{4}");
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void status_invalidJobId_usageError() {
    CliRunner.Result result = CliRunner.run("job", "status", "42; rm -rf ~");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("invalid job id '42; rm -rf ~'");
  }

  @Test
  void output_identityMissing_exit1BeforeConnecting() {
    CliRunner.Result result =
        CliRunner.run(
            "job",
            "output",
            "42",
            "--config",
            config.toString(),
            "--identity",
            dir.resolve("none.txt").toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("output identity " + dir.resolve("none.txt") + " not found");
  }

  @Test
  void output_targetNotEmpty_exit1AndUntouched() throws Exception {
    Path target = Files.createDirectories(dir.resolve("out"));
    Files.writeString(target.resolve("keep.txt"), "keep");
    Path identity = dir.resolve("id.txt");
    Files.writeString(identity, org.hpcs.common.crypto.AgeIdentity.generate().secretText() + "\n");

    CliRunner.Result result =
        CliRunner.run(
            "job",
            "output",
            "42",
            "--config",
            config.toString(),
            "--identity",
            identity.toString(),
            "-o",
            target.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err()).contains("output directory " + target + " is not empty");
    assertThat(Files.readString(target.resolve("keep.txt"))).isEqualTo("keep");
  }
}
