package org.hpcs.client.job;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.hpcs.client.HpcsException;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.crypto.Sha256;

/** The local bundle manifests a job names, and the check that the cluster has the same bundles. */
public final class LocalBundles {
  private LocalBundles() {}

  /**
   * Reads a bundle manifest and checks its kind.
   *
   * @throws HpcsException if the file is missing or the bundle is of the other kind
   */
  public static BundleManifest read(Path manifestPath, BundleKind expected) throws Exception {
    if (!Files.exists(manifestPath)) {
      throw new HpcsException(
          "bundle manifest %s not found".formatted(manifestPath),
          "pass the <name>.manifest.json that hpcs bundle create wrote");
    }
    BundleManifest manifest = ManifestCodec.read(manifestPath);
    if (manifest.kind() != expected) {
      String option = expected == BundleKind.CONTAINER ? "--image" : "--data";
      throw new HpcsException(
          "%s %s is a %s bundle, but %s takes a %s bundle"
              .formatted(
                  option, manifestPath, manifest.kind().wireName(), option, expected.wireName()),
          "pass container bundles with --image and data bundles with --data");
    }
    return manifest;
  }

  /**
   * Checks that {@code remoteDir} contains this bundle: the manifest with the same SHA-256 as the
   * local file, and the ciphertext with the size the manifest records.
   *
   * @throws HpcsException naming the bundle and the ship command that fixes it
   */
  public static void checkShipped(
      ClusterConnection cluster, String remoteDir, Path manifestPath, BundleManifest manifest)
      throws HpcsException, IOException {
    String remoteManifest = remoteDir + "/" + manifest.manifestFileName();
    String remoteAge = remoteDir + "/" + manifest.ageFileName();
    String ship = "run 'hpcs bundle ship " + manifestPath + "' first";
    Optional<Long> ageSize = cluster.size(remoteAge);
    if (cluster.size(remoteManifest).isEmpty() || ageSize.isEmpty()) {
      throw new HpcsException(
          "bundle %s is not on %s in %s".formatted(manifest.name(), cluster.target(), remoteDir),
          ship);
    }
    if (ageSize.get() != manifest.ciphertext().size()
        || !cluster.remoteSha256(remoteManifest, -1).equals(Sha256.ofFile(manifestPath).hex())) {
      throw new HpcsException(
          "bundle %s on %s in %s differs from %s"
              .formatted(manifest.name(), cluster.target(), remoteDir, manifestPath),
          ship);
    }
  }
}
