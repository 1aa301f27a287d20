package org.hpcs.server.testing;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.UUID;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ContentDigest;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.bundle.ManifestSigner;
import org.hpcs.common.crypto.AgeIdentity;

/** Signed bundle manifests as {@code hpcs bundle create} writes them, for server tests. */
public final class TestManifests {
  /** The output recipient of every test manifest. */
  public static final String OUTPUT_RECIPIENT = AgeIdentity.generate().recipient().value();

  private TestManifests() {}

  /** Returns the bundle identifier (a UUID, as manifests require) that tests call {@code label}. */
  public static String bundleId(String label) {
    return UUID.nameUUIDFromBytes(label.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** Returns an unsigned data bundle manifest named {@code label} with its key in the mount. */
  public static BundleManifest unsigned(String owner, String label, String kvMount) {
    return BundleManifest.unsigned(
        bundleId(label),
        BundleKind.DATA,
        owner,
        label,
        "2025-01-31T12:00:00Z",
        new ContentDigest("a".repeat(64), 1234),
        new ContentDigest("b".repeat(64), 1000),
        kvMount,
        OUTPUT_RECIPIENT);
  }

  /** Returns the manifest file bytes of a manifest signed with the key pair. */
  public static byte[] signed(BundleManifest unsigned, KeyPair key) {
    return ManifestCodec.toJson(ManifestSigner.sign(unsigned, key));
  }
}
