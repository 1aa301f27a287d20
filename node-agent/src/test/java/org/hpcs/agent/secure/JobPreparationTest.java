package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.hpcs.agent.job.JobContext;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.mount.FusePreflight;
import org.hpcs.agent.mount.WorkspaceLayout;
import org.hpcs.agent.protocol.ManifestData;
import org.hpcs.agent.protocol.StepDetails;
import org.hpcs.agent.runtime.BwrapRuntime;
import org.hpcs.agent.server.ServerApi;
import org.hpcs.agent.server.ServerException;
import org.hpcs.agent.vault.KeyReleaseException;
import org.hpcs.agent.vault.VaultKeyReader;
import org.hpcs.common.api.JobEndResponse;
import org.hpcs.common.api.JobStartRequest;
import org.hpcs.common.api.JobStartResponse;
import org.hpcs.common.api.KeyLocation;
import org.hpcs.common.bundle.BundleKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The order of the job preparation: every signature and ciphertext check passes before the server
 * is asked, and the server's release comes before Vault. The server and the JWT source are
 * recording stand-ins; the test stops before anything is mounted.
 */
class JobPreparationTest {
  @TempDir Path temp;

  private final List<String> calls = new CopyOnWriteArrayList<>();
  private BundleFixture fixture;
  private BundleFixture.Bundle image;
  private BundleFixture.Bundle data;
  private WorkspaceLayout layout;
  private ServerException denial;

  @BeforeEach
  void setUp() throws Exception {
    RootOnly.assumeRoot();
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path bundles = Files.createDirectory(temp.resolve("bundles"));
    fixture = new BundleFixture(bundles);
    image =
        fixture.create(
            "image", BundleKind.CONTAINER, "not a real SIF".getBytes(StandardCharsets.UTF_8));
    data =
        fixture.create(
            "data",
            BundleKind.DATA,
            BundleFixture.tar(Map.of("in.txt", "input".getBytes(StandardCharsets.UTF_8))));
    layout = new WorkspaceLayout(temp.resolve("state"), temp.resolve("run"), Duration.ofSeconds(1));
  }

  @Test
  void prepare_validBundles_checksThenServerThenVault() throws Exception {
    PipelineException failure = assertThrows(prepare());

    assertThat(failure).hasMessageContaining("reading the bundle keys of job 42 on n1");
    assertThat(calls)
        .containsExactly(
            "event bundles-verified", "server start 42", "event key-release", "jwt hpcs-vault");
    assertNothingMounted();
  }

  @Test
  void prepare_tamperedManifest_failsBeforeServer() throws Exception {
    String json = Files.readString(data.manifestFile());
    Files.writeString(data.manifestFile(), json.replace("2025-01-31T12", "2025-02-01T12"));

    PipelineException failure = assertThrows(prepare());

    assertThat(failure)
        .hasMessageContaining(data.manifestFile().toString())
        .hasMessageContaining("invalid signature");
    assertThat(failure).hasMessageContaining("job 42 on n1");
    assertThat(calls).isEmpty();
    assertNothingMounted();
  }

  @Test
  void prepare_swappedCiphertext_failsBeforeServer() throws Exception {
    Files.copy(image.ageFile(), data.ageFile(), StandardCopyOption.REPLACE_EXISTING);

    PipelineException failure = assertThrows(prepare());

    assertThat(failure)
        .hasMessageContaining("bundle file " + data.ageFile())
        .hasMessageContaining("ship the bundle again");
    assertThat(calls).isEmpty();
    assertNothingMounted();
  }

  @Test
  void prepare_corruptedCiphertext_failsBeforeServer() throws Exception {
    byte[] bytes = Files.readAllBytes(data.ageFile());
    bytes[bytes.length - 20] ^= 1;
    Files.write(data.ageFile(), bytes);

    PipelineException failure = assertThrows(prepare());

    assertThat(failure).hasMessageContaining("has SHA-256").hasMessageContaining("altered");
    assertThat(calls).isEmpty();
  }

  @Test
  void prepare_serverDenies_noVaultLogin() throws Exception {
    denial = new ServerException(403, "grant-missing", "user nobody holds no live grant");

    PipelineException failure = assertThrows(prepare());

    assertThat(failure)
        .hasMessageContaining("denied the key release of job 42 on n1")
        .hasMessageContaining("no live grant");
    assertThat(calls).containsExactly("event bundles-verified", "server start 42");
    assertNothingMounted();
  }

  @Test
  void prepare_manifestLinksToRootOnlyFile_readAsUserDenied() throws Exception {
    Path secret = temp.resolve("secret.manifest.json");
    Files.writeString(secret, "{}");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    Files.delete(data.manifestFile());
    Files.createSymbolicLink(data.manifestFile(), secret);

    PipelineException failure = assertThrows(prepare());

    assertThat(failure)
        .hasMessageContaining("cannot read bundle manifest " + data.manifestFile())
        .hasMessageContaining("Permission denied");
    assertThat(calls).isEmpty();
  }

  @Test
  void prepare_noJobManifest_namesTheOption() {
    JobContext job = context("", new byte[0]);

    assertThatThrownBy(() -> preparation().prepare(job, id -> {}))
        .isInstanceOf(PipelineException.class)
        .hasMessageContaining("--hpcs-secure=<job manifest>");
    assertThat(calls).isEmpty();
  }

  private PipelineException assertThrows(JobContext job) {
    return org.junit.jupiter.api.Assertions.assertThrows(
        PipelineException.class, () -> preparation().prepare(job, id -> {}));
  }

  private JobContext prepare() throws Exception {
    byte[] bytes = fixture.jobManifest(image, data);
    return context(fixture.jobManifestPath().toString(), bytes);
  }

  private static JobContext context(String manifestPath, byte[] bytes) {
    StepDetails details =
        new StepDetails(
            Optional.of(1L),
            Optional.of(0L),
            Optional.of(1L),
            Optional.of("debug"),
            Optional.of("n1"),
            "--hpcs-secure",
            manifestPath,
            ManifestData.of(bytes),
            Optional.empty());
    return new JobContext(42, "n1", RootOnly.UID, RootOnly.GID, details);
  }

  private JobPreparation preparation() throws Exception {
    SecureJobSettings settings =
        new SecureJobSettings(
            "n1",
            layout,
            temp.resolve("launch"),
            new BwrapRuntime(Path.of("/usr/bin/bwrap")),
            new FusePreflight(FusePreflight.Host.current()));
    VaultKeyReader keys =
        new VaultKeyReader(
            audience -> {
              calls.add("jwt " + audience);
              throw new KeyReleaseException("the test stops at the JWT-SVID");
            },
            Optional.empty(),
            Duration.ofSeconds(1));
    StageEvents events =
        new StageEvents("n1", event -> calls.add("event " + event.event()), Clock.systemUTC());
    return new JobPreparation(
        settings,
        new RecordingServer(),
        job -> new JobStartRequest(RootOnly.USER, List.of("n1"), "debug", 600, List.of()),
        (jobId, node) -> temp,
        keys,
        events);
  }

  private void assertNothingMounted() {
    assertThat(layout.stateDir().resolve("42")).doesNotExist();
    assertThat(layout.runDir().resolve("42")).doesNotExist();
  }

  /** Records calls and answers with a release for every bundle, or with the set denial. */
  private final class RecordingServer implements ServerApi {
    @Override
    public JobStartResponse startJob(long jobId, JobStartRequest request) throws ServerException {
      calls.add("server start " + jobId);
      assertThat(request.bundles()).hasSize(2);
      if (denial != null) {
        throw denial;
      }
      return new JobStartResponse(
          "hpcs-job-" + jobId,
          "hpcs-vault",
          "http://127.0.0.1:1",
          "jwt",
          request.bundles().stream()
              .map(
                  b ->
                      new KeyLocation(
                          b.bundleId(),
                          "kv-hpcs",
                          "owners/owner/bundles/" + b.bundleId(),
                          "kv-hpcs/data/owners/owner/bundles/" + b.bundleId()))
              .toList(),
          List.of(),
          Instant.now().plusSeconds(600));
    }

    @Override
    public void reportEvent(long jobId, String step, String event, String detail) {
      calls.add("server event " + event);
    }

    @Override
    public JobEndResponse endJob(long jobId) {
      calls.add("server end " + jobId);
      return null;
    }
  }
}
