package org.hpcs.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.client.vault.TokenCache;
import org.hpcs.client.vault.VaultSession;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.crypto.AgeFiles;
import org.hpcs.common.crypto.AgeIdentities;
import org.hpcs.common.crypto.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data owner's path against the real stack: login to OpenBao, create a container bundle, ship
 * it over SFTP as alice, then check who can read the key and the shipped digest.
 */
class BundleShipIT {
  @TempDir Path dir;

  @Test
  void bundleShip_realStack_keyAndDigestChecked() throws Exception {
    Optional<StackEnvironment> loaded = StackEnvironment.load();
    assumeTrue(loaded.isPresent(), "test stack not up: " + StackEnvironment.STACK_ENV + " missing");
    StackEnvironment stack = loaded.get();
    String state = stack.get("HPCS_STATE_DIR");
    Path config = writeConfig(stack, state);

    // The owner logs in, makes keys and creates a bundle from a real SIF image.
    assertOk(CliRunner.run("keygen", "--config", config.toString()));
    assertOk(
        CliRunner.run(
            "login",
            "--config",
            config.toString(),
            "--password-file",
            state + "/bao/owner.password"));
    Path sif = buildSif();
    assertOk(
        CliRunner.run(
            "bundle",
            "create",
            "--config",
            config.toString(),
            "--image",
            sif.toString(),
            "--out-dir",
            dir.toString(),
            "--no-register"));
    BundleManifest manifest = ManifestCodec.read(dir.resolve("image.manifest.json"));

    // Shipping uploads and verifies the remote digest.
    CliRunner.Result ship =
        CliRunner.run(
            "bundle", "ship", "--config", config.toString(), dir.resolve("image").toString());
    assertOk(ship);
    assertThat(ship.out()).contains("sha256 " + manifest.ciphertext().sha256());

    // The owner reads the key, and it decrypts the bundle to the original image.
    String baoAddr = stack.get("BAO_ADDR");
    String ownerToken = TokenCache.read(dir.resolve("vault-token"));
    String apiPath = "/v1/" + manifest.key().kvMount() + "/data/" + manifest.key().kvPath();
    assertThat(status(baoAddr, apiPath, ownerToken)).isEqualTo(200);
    String identity =
        VaultSession.open(URI.create(baoAddr), ownerToken, manifest.key().kvMount())
            .readField(manifest.key().kvMount(), manifest.key().kvPath(), "identity");
    Path decrypted = dir.resolve("decrypted.sif");
    AgeFiles.decrypt(
        dir.resolve("image.age"),
        decrypted,
        AgeIdentities.parse(identity, "vault"),
        false,
        n -> {});
    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(sif));

    // Alice, another Vault user, is denied the owner's key.
    String aliceToken =
        VaultSession.open(URI.create(baoAddr), null, "kv-hpcs")
            .loginUserpass(
                stack.get("BAO_USERPASS_MOUNT"),
                "alice",
                Files.readString(Path.of(state, "bao", "alice.password")).strip());
    assertThat(status(baoAddr, apiPath, aliceToken)).isEqualTo(403);

    // The file on the cluster has the manifest's digest.
    try (ClusterConnection ssh =
        ClusterConnection.connect(
            stack.get("SSH_HOST"),
            Integer.parseInt(stack.get("SSH_PORT")),
            "alice",
            Path.of(state, "ssh", "alice_ed25519"),
            Path.of(stack.get("SSH_KNOWN_HOSTS")))) {
      assertThat(ssh.remoteSha256("hpcs-bundles/image.age", -1))
          .isEqualTo(manifest.ciphertext().sha256());

      // An interrupted upload (a remote .part holding a correct prefix) is resumed.
      ssh.execute(
          "truncate -s 1000 hpcs-bundles/image.age && mv hpcs-bundles/image.age hpcs-bundles/image.age.part");
      CliRunner.Result resumed =
          CliRunner.run(
              "bundle", "ship", "--config", config.toString(), dir.resolve("image").toString());
      assertOk(resumed);
      assertThat(resumed.err()).contains("resumed an interrupted upload at byte 1000");
      assertThat(ssh.remoteSha256("hpcs-bundles/image.age", -1))
          .isEqualTo(manifest.ciphertext().sha256());
    }
  }

  private Path writeConfig(StackEnvironment stack, String state) throws Exception {
    String text =
        String.join(
            "\n",
            "vault.url=" + stack.get("BAO_ADDR"),
            "vault.auth=userpass",
            "vault.auth.mount=" + stack.get("BAO_USERPASS_MOUNT"),
            "vault.username=owner",
            "vault.kv.mount=" + stack.get("BAO_KV_MOUNT"),
            "ssh.host=" + stack.get("SSH_HOST"),
            "ssh.port=" + stack.get("SSH_PORT"),
            "ssh.user=alice",
            "ssh.key=" + state + "/ssh/alice_ed25519",
            "ssh.known-hosts=" + stack.get("SSH_KNOWN_HOSTS"),
            "ssh.remote-dir=hpcs-bundles",
            "keys.dir=" + dir.resolve("keys"),
            "token.file=" + dir.resolve("vault-token"),
            "");
    return Files.writeString(dir.resolve("config.properties"), text, StandardCharsets.UTF_8);
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

  private static int status(String baoAddr, String apiPath, String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baoAddr + apiPath))
            .header("X-Vault-Token", token)
            .GET()
            .build();
    return HttpClient.newHttpClient()
        .send(request, HttpResponse.BodyHandlers.discarding())
        .statusCode();
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
