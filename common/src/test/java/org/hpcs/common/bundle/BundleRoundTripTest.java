package org.hpcs.common.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.AtomicFileOutput;
import org.hpcs.common.crypto.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleRoundTripTest {
  @TempDir Path dir;
  private final AgeIdentity key = AgeIdentity.generate();

  @Test
  void decryptImage_encryptedSif_sameBytes() throws Exception {
    Path sif = buildSif();
    Path age = dir.resolve("image.age");
    EncryptedPayload payload;
    try (AtomicFileOutput out = AtomicFileOutput.create(age, false)) {
      payload = BundlePayloads.encryptImage(sif, out.channel(), key.recipient(), n -> {});
      out.commit();
    }
    BundleManifest manifest = manifest(BundleKind.CONTAINER, payload);
    Path decrypted = dir.resolve("decrypted.sif");

    BundleOpener.decryptImage(manifest, age, List.of(key), decrypted, n -> {});

    assertThat(Sha256.ofFile(decrypted)).isEqualTo(Sha256.ofFile(sif));
    assertThat(payload.ciphertext().sha256()).isEqualTo(Sha256.ofFile(age).hex());
  }

  @Test
  void encryptImage_notSif_rejected() throws Exception {
    Path notSif = Files.writeString(dir.resolve("fake.sif"), "#!/bin/sh\necho not an image\n");

    assertThatThrownBy(
            () -> BundlePayloads.encryptImage(notSif, new NullChannel(), key.recipient(), n -> {}))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("is not a SIF image");
  }

  @Test
  void extractData_encryptedDirectory_sameTree() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data/sub"));
    Files.writeString(data.resolve("x.txt"), "x".repeat(100_000));
    Files.writeString(dir.resolve("data/top.txt"), "top");
    Path age = dir.resolve("data.age");
    EncryptedPayload payload = encryptData(dir.resolve("data"), age);
    Path target = dir.resolve("extracted");

    BundleOpener.extractData(manifest(BundleKind.DATA, payload), age, List.of(key), target);

    assertThat(target.resolve("sub/x.txt")).hasContent("x".repeat(100_000));
    assertThat(target.resolve("top.txt")).hasContent("top");
  }

  @Test
  void extractData_plaintextDigestDiffers_extractionRemoved() throws Exception {
    Path data = Files.writeString(dir.resolve("one.txt"), "one");
    Path age = dir.resolve("data.age");
    EncryptedPayload payload = encryptData(data, age);
    EncryptedPayload lying =
        new EncryptedPayload(
            new ContentDigest("0".repeat(64), payload.plaintext().size()), payload.ciphertext());
    Path target = dir.resolve("extracted");

    assertThatThrownBy(
            () ->
                BundleOpener.extractData(
                    manifest(BundleKind.DATA, lying), age, List.of(key), target))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("the manifest records " + "0".repeat(64));
    assertThat(target).doesNotExist();
  }

  @Test
  void verifyCiphertext_alteredFile_rejectedBeforeDecrypting() throws Exception {
    Path data = Files.writeString(dir.resolve("one.txt"), "one");
    Path age = dir.resolve("data.age");
    BundleManifest manifest = manifest(BundleKind.DATA, encryptData(data, age));
    try (RandomAccessFile file = new RandomAccessFile(age.toFile(), "rw")) {
      file.seek(file.length() - 1);
      file.write(0);
    }
    Path target = dir.resolve("extracted");

    assertThatThrownBy(() -> BundleOpener.extractData(manifest, age, List.of(key), target))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("has SHA-256")
        .hasMessageContaining(age.toString());
    assertThat(target).doesNotExist();
  }

  private EncryptedPayload encryptData(Path source, Path age) throws Exception {
    try (AtomicFileOutput out = AtomicFileOutput.create(age, false)) {
      EncryptedPayload payload =
          BundlePayloads.encryptData(source, out.channel(), key.recipient(), n -> {});
      out.commit();
      return payload;
    }
  }

  private BundleManifest manifest(BundleKind kind, EncryptedPayload payload) {
    return ManifestSigner.sign(
        BundleManifest.unsigned(
            kind,
            "owner",
            "bundle",
            "2025-01-31T12:00:00Z",
            payload.ciphertext(),
            payload.plaintext(),
            "kv-hpcs",
            key.recipient().value()),
        Ed25519Keys.generate());
  }

  private Path buildSif() throws Exception {
    Path content = Files.createDirectories(dir.resolve("rootfs"));
    Files.writeString(content.resolve("hello"), "hello from the image");
    Path squashfs = dir.resolve("rootfs.sqsh");
    run("mksquashfs", content.toString(), squashfs.toString(), "-noappend", "-quiet");
    Path sif = dir.resolve("image.sif");
    run("siftool", "new", sif.toString());
    run(
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

  private void run(String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output =
        new String(
            process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
  }

  /** Drops all bytes. */
  private static final class NullChannel implements java.nio.channels.WritableByteChannel {
    @Override
    public int write(java.nio.ByteBuffer buffer) {
      int count = buffer.remaining();
      buffer.position(buffer.limit());
      return count;
    }

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}
  }
}
