package org.hpcs.agent.secure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.mount.PlaintextFile;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.ContentDigest;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.Sha256;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decryption into the job's mounts (here plain directories): a ciphertext that fails half-way
 * leaves no plaintext behind, and the error names the file and the failing chunk.
 */
class BundleDecryptionTest {
  private static final int CHUNK = 64 * 1024;
  private static final String WHERE = "job 7 on n1";

  @TempDir Path temp;

  private BundleFixture fixture;
  private Path target;
  private UserIdentity owner;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new BundleFixture(Files.createDirectory(temp.resolve("bundles")));
    target = Files.createDirectory(temp.resolve("input"));
    owner = currentOrNobody();
  }

  @Test
  void extractData_validBundle_extractsAndGivesFilesToUser() throws Exception {
    BundleFixture.Bundle data = threeMiBDataBundle();

    try (OpenedBundle bundle = open(data)) {
      BundleDecryption.extractData(
          bundle, head(bundle), List.of(data.identity()), target, owner, WHERE);
    }

    assertThat(target.resolve("part-0.bin")).hasSize(1024 * 1024);
    assertThat(Files.getAttribute(target.resolve("part-2.bin"), "unix:uid")).isEqualTo(owner.uid());
  }

  @Test
  void extractData_byteFlippedInTenthChunk_removesPartialPlaintext() throws Exception {
    BundleFixture.Bundle data = threeMiBDataBundle();
    byte[] bytes = Files.readAllBytes(data.ageFile());
    bytes[payloadStart(bytes) + 9 * (CHUNK + 16) + 100] ^= 0x40;
    BundleFixture.Bundle corrupted = resign(data, bytes);

    PipelineException failure = extractFails(corrupted);

    assertThat(failure)
        .hasMessageContaining(data.ageFile().toString())
        .hasMessageContaining("chunk 9")
        .hasMessageContaining("partial plaintext was deleted");
    assertThat(tree(target)).isEmpty();
  }

  @Test
  void extractData_truncatedInLastChunk_removesPartialPlaintext() throws Exception {
    BundleFixture.Bundle data = threeMiBDataBundle();
    byte[] bytes = Files.readAllBytes(data.ageFile());
    byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 5000);
    BundleFixture.Bundle truncated = resign(data, cut);

    PipelineException failure = extractFails(truncated);

    assertThat(failure).hasMessageContaining("truncated").hasMessageContaining("chunk");
    assertThat(tree(target)).isEmpty();
  }

  @Test
  void extractData_otherValidCiphertextAfterCheck_nothingDecrypted() throws Exception {
    BundleFixture.Bundle data = threeMiBDataBundle();
    BundleFixture.Bundle other =
        fixture.create(
            "other",
            BundleKind.DATA,
            BundleFixture.tar(Map.of("x.txt", "other".getBytes(StandardCharsets.UTF_8))));

    PipelineException failure;
    try (OpenedBundle bundle = open(data)) {
      CheckedHead head = head(bundle);
      // Another complete and authentic age file takes the checked file's place, in place.
      overwrite(data.ageFile(), Files.readAllBytes(other.ageFile()), 0);
      failure =
          assertThrows(
              PipelineException.class,
              () ->
                  BundleDecryption.extractData(
                      bundle, head, List.of(other.identity()), target, owner, WHERE));
    }

    assertThat(failure)
        .hasMessageContaining(data.ageFile().toString())
        .hasMessageContaining("changed after its SHA-256 was checked")
        .hasMessageContaining(WHERE);
    assertThat(tree(target)).isEmpty();
  }

  @Test
  void decryptImage_payloadChangedAfterCheck_failsAtThatChunk() throws Exception {
    BundleFixture.Bundle image =
        fixture.create("image", BundleKind.CONTAINER, randomBytes(3 * 1024 * 1024));
    byte[] bytes = Files.readAllBytes(image.ageFile());
    int offset = payloadStart(bytes) + 20 * (CHUNK + 16) + 3;

    PipelineException failure;
    try (OpenedBundle bundle = open(image)) {
      CheckedHead head = head(bundle);
      overwrite(image.ageFile(), new byte[] {(byte) (bytes[offset] ^ 1)}, offset);
      failure =
          assertThrows(
              PipelineException.class,
              () ->
                  BundleDecryption.decryptImage(
                      bundle,
                      head,
                      List.of(image.identity()),
                      name -> PlaintextFile.create(target.resolve(name)),
                      WHERE));
    }

    assertThat(failure).hasMessageContaining("chunk 20").hasMessageContaining("deleted");
    assertThat(tree(target)).isEmpty();
  }

  @Test
  void extractData_wrongKey_nothingExtracted() throws Exception {
    BundleFixture.Bundle data = threeMiBDataBundle();

    PipelineException failure;
    try (OpenedBundle bundle = open(data)) {
      failure =
          assertThrows(
              PipelineException.class,
              () ->
                  BundleDecryption.extractData(
                      bundle, head(bundle), List.of(AgeIdentity.generate()), target, owner, WHERE));
    }

    assertThat(failure).hasMessageContaining("decrypting bundle file " + data.ageFile());
    assertThat(tree(target)).isEmpty();
  }

  @Test
  void decryptImage_validBundle_writesImageWithManifestDigest() throws Exception {
    byte[] sif = randomBytes(3 * 1024 * 1024);
    BundleFixture.Bundle image = fixture.create("image", BundleKind.CONTAINER, sif);

    Path written;
    try (OpenedBundle bundle = open(image)) {
      written =
          BundleDecryption.decryptImage(
              bundle,
              head(bundle),
              List.of(image.identity()),
              name -> PlaintextFile.create(target.resolve(name)),
              WHERE);
    }

    assertThat(written).isEqualTo(target.resolve(BundleDecryption.IMAGE_FILE));
    assertThat(Sha256.ofFile(written).hex()).isEqualTo(image.manifest().plaintext().sha256());
  }

  @Test
  void decryptImage_byteFlippedInTenthChunk_deletesPartialImage() throws Exception {
    byte[] sif = randomBytes(3 * 1024 * 1024);
    BundleFixture.Bundle image = fixture.create("image", BundleKind.CONTAINER, sif);
    byte[] bytes = Files.readAllBytes(image.ageFile());
    bytes[payloadStart(bytes) + 9 * (CHUNK + 16) + 7] ^= 1;
    BundleFixture.Bundle corrupted = resign(image, bytes);

    PipelineException failure;
    try (OpenedBundle bundle = open(corrupted)) {
      failure =
          assertThrows(
              PipelineException.class,
              () ->
                  BundleDecryption.decryptImage(
                      bundle,
                      head(bundle),
                      List.of(corrupted.identity()),
                      name -> PlaintextFile.create(target.resolve(name)),
                      WHERE));
    }

    assertThat(failure).hasMessageContaining("chunk 9").hasMessageContaining(WHERE);
    assertThat(tree(target)).isEmpty();
  }

  private PipelineException extractFails(BundleFixture.Bundle data) throws Exception {
    try (OpenedBundle bundle = open(data)) {
      return assertThrows(
          PipelineException.class,
          () ->
              BundleDecryption.extractData(
                  bundle, head(bundle), List.of(data.identity()), target, owner, WHERE));
    }
  }

  private BundleFixture.Bundle threeMiBDataBundle() throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (int i = 0; i < 3; i++) {
      files.put("part-" + i + ".bin", randomBytes(1024 * 1024));
    }
    return fixture.create("data", BundleKind.DATA, BundleFixture.tar(files));
  }

  /** Writes new ciphertext bytes and a manifest signed for them, so the digest checks pass. */
  private BundleFixture.Bundle resign(BundleFixture.Bundle bundle, byte[] ciphertext)
      throws Exception {
    Files.write(bundle.ageFile(), ciphertext);
    ContentDigest plain = bundle.manifest().plaintext();
    return fixture.sign(
        bundle.manifest().name(),
        bundle.manifest().kind(),
        bundle.identity(),
        bundle.ageFile(),
        plain);
  }

  private static CheckedHead head(OpenedBundle bundle) throws PipelineException {
    return BundleChecks.verifyCiphertext(bundle, WHERE);
  }

  /** Writes {@code bytes} at {@code offset} into the same file, which stays open elsewhere. */
  private static void overwrite(Path file, byte[] bytes, long offset) throws Exception {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      if (offset == 0) {
        channel.truncate(0);
      }
      channel.write(java.nio.ByteBuffer.wrap(bytes), offset);
    }
  }

  private static OpenedBundle open(BundleFixture.Bundle bundle) throws Exception {
    return new OpenedBundle(
        bundle.manifestFile(),
        Sha256.ofFile(bundle.manifestFile()).hex(),
        bundle.manifest(),
        bundle.ageFile(),
        FileChannel.open(bundle.ageFile(), StandardOpenOption.READ));
  }

  /** Returns where the age payload starts: after the header's "---" line and the 16-byte nonce. */
  private static int payloadStart(byte[] age) {
    String text = new String(age, 0, Math.min(age.length, 4096), StandardCharsets.ISO_8859_1);
    int mac = text.indexOf("\n---");
    return text.indexOf('\n', mac + 1) + 1 + 16;
  }

  private static List<Path> tree(Path dir) throws Exception {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> !p.equals(dir)).toList();
    }
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }

  private static UserIdentity currentOrNobody() throws Exception {
    int uid =
        (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (uid == 0) {
      return new UserIdentity(RootOnly.USER, RootOnly.UID, RootOnly.GID, List.of(RootOnly.GID));
    }
    int gid =
        (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid", LinkOption.NOFOLLOW_LINKS);
    return new UserIdentity("tester", uid, gid, List.of(gid));
  }
}
