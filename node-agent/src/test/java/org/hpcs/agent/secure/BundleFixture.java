package org.hpcs.agent.secure;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ContentDigest;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.bundle.ManifestSigner;
import org.hpcs.common.crypto.AgeEncryptor;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.Sha256;

/** Writes signed bundles and job manifests into a directory, as hpcs bundle create would. */
public final class BundleFixture {
  final Path dir;
  final KeyPair owner;
  final String ownerName;
  final String kvMount;

  /** The owner's output key: job outputs are encrypted to its recipient. */
  public final AgeIdentity output = AgeIdentity.generate();

  /**
   * One written bundle.
   *
   * @param manifest the signed manifest
   * @param identity the bundle key
   * @param manifestFile where the manifest was written
   * @param ageFile where the ciphertext was written
   */
  public record Bundle(
      BundleManifest manifest, AgeIdentity identity, Path manifestFile, Path ageFile) {}

  BundleFixture(Path dir) throws IOException {
    this(dir, Ed25519Keys.generate(), "owner", "kv-hpcs");
  }

  /** Writes bundles of {@code ownerName}, signed with {@code owner}, keyed in {@code kvMount}. */
  public BundleFixture(Path dir, KeyPair owner, String ownerName, String kvMount)
      throws IOException {
    this.dir = dir;
    this.owner = owner;
    this.ownerName = ownerName;
    this.kvMount = kvMount;
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Encrypts {@code plaintext} to a new key and writes the signed bundle {@code name}. */
  public Bundle create(String name, BundleKind kind, byte[] plaintext) throws Exception {
    AgeIdentity identity = AgeIdentity.generate();
    Path ageFile = dir.resolve(name + ".age");
    try (FileChannel out =
        FileChannel.open(ageFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      AgeEncryptor.encrypt(
          Channels.newChannel(new java.io.ByteArrayInputStream(plaintext)),
          out,
          List.of(identity.recipient()),
          false,
          n -> {});
    }
    Files.setPosixFilePermissions(ageFile, PosixFilePermissions.fromString("rw-r--r--"));
    ContentDigest plain =
        new ContentDigest(Sha256.hex(Sha256.newDigest().digest(plaintext)), plaintext.length);
    return sign(name, kind, identity, ageFile, plain);
  }

  /** Signs and writes a manifest for the current content of {@code ageFile}. */
  Bundle sign(String name, BundleKind kind, AgeIdentity identity, Path ageFile, ContentDigest plain)
      throws Exception {
    Sha256.Result cipher = Sha256.ofFile(ageFile);
    BundleManifest manifest =
        ManifestSigner.sign(
            BundleManifest.unsigned(
                kind,
                ownerName,
                name,
                "2025-01-31T12:00:00Z",
                new ContentDigest(cipher.hex(), cipher.size()),
                plain,
                kvMount,
                output.recipient().value()),
            owner);
    Path manifestFile = dir.resolve(name + ".manifest.json");
    Files.write(manifestFile, ManifestCodec.toJson(manifest));
    Files.setPosixFilePermissions(manifestFile, PosixFilePermissions.fromString("rw-r--r--"));
    return new Bundle(manifest, identity, manifestFile, ageFile);
  }

  /** Writes {@code job.json} naming the bundles by file name and returns its bytes. */
  public byte[] jobManifest(Bundle image, Bundle... data) throws IOException {
    StringBuilder list = new StringBuilder();
    for (Bundle bundle : data) {
      list.append(list.isEmpty() ? "" : ",")
          .append('"')
          .append(bundle.manifestFile().getFileName())
          .append('"');
    }
    String json =
        "{\"schemaVersion\":1,\"image\":\""
            + image.manifestFile().getFileName()
            + "\",\"data\":["
            + list
            + "]}";
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    Files.write(jobManifestPath(), bytes);
    return bytes;
  }

  public Path jobManifestPath() {
    return dir.resolve("job.json");
  }

  /** Returns a tar stream of the given files. */
  static byte[] tar(Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, byte[]> file : files.entrySet()) {
        TarArchiveEntry entry = new TarArchiveEntry(file.getKey());
        entry.setSize(file.getValue().length);
        entry.setMode(0100644);
        tar.putArchiveEntry(entry);
        tar.write(file.getValue());
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }
}
