package org.hpcs.client.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ContentDigest;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.bundle.ManifestSigner;
import org.hpcs.common.crypto.AgeIdentity;

/** Signed bundle manifests written to disk, for tests that need no Vault or ciphertext. */
final class TestBundles {
  private TestBundles() {}

  /** Writes {@code <name>.manifest.json} of a bundle of the kind into the directory. */
  static Path manifest(Path dir, String name, BundleKind kind) throws Exception {
    String bundleId = UUID.randomUUID().toString();
    BundleManifest manifest =
        ManifestSigner.sign(
            BundleManifest.unsigned(
                bundleId,
                kind,
                "owner",
                name,
                "2025-01-31T12:00:00Z",
                new ContentDigest("a".repeat(64), 100),
                new ContentDigest("b".repeat(64), 80),
                "kv-hpcs",
                AgeIdentity.generate().recipient().value()),
            Ed25519Keys.generate());
    return Files.write(dir.resolve(name + ".manifest.json"), ManifestCodec.toJson(manifest));
  }
}
