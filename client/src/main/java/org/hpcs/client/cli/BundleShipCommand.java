package org.hpcs.client.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.hpcs.client.HpcsException;
import org.hpcs.client.config.ClientConfig;
import org.hpcs.client.ssh.ClusterConnection;
import org.hpcs.common.bundle.BundleException;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.BundleOpener;
import org.hpcs.common.bundle.ManifestCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hpcs bundle ship}: uploads a bundle to the cluster over SFTP and checks its digest. */
@Command(
    name = "ship",
    mixinStandardHelpOptions = true,
    description = {
      "Upload <name>.age and <name>.manifest.json to ssh.user@ssh.host:ssh.port into"
          + " ssh.remote-dir (default hpcs-bundles, relative to the remote home) over SFTP.",
      "The host key must be in ssh.known-hosts; login uses ssh.key only. An interrupted upload"
          + " resumes when its remote part matches the local prefix (SHA-256). The remote file's"
          + " SHA-256 (sha256sum over SSH) must equal the manifest's before it gets its final name."
    })
final class BundleShipCommand implements Callable<Integer> {
  @Mixin CommonOptions common;

  @Spec CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "BUNDLE",
      description = "The bundle: <name>.manifest.json, <name>.age or the <name> path stem.")
  Path bundle;

  @Override
  public Integer call() throws Exception {
    ClientConfig config = common.loadConfig();
    Path manifestPath = BundleNames.manifestFor(bundle);
    if (!Files.exists(manifestPath)) {
      throw new HpcsException(
          "manifest %s not found".formatted(manifestPath),
          "pass the files that hpcs bundle create wrote");
    }
    BundleManifest manifest = ManifestCodec.read(manifestPath);
    Path agePath = manifestPath.resolveSibling(manifest.ageFileName());
    checkLocalCopy(manifest, agePath);

    String remoteDir = config.sshRemoteDir();
    try (ClusterConnection shipper = ClusterConnection.open(config, "hpcs bundle ship")) {
      shipper.makeDirectories(remoteDir);
      long resumedAt;
      try (Progress progress = Progress.start("upload", manifest.ciphertext().size())) {
        resumedAt =
            shipper.upload(
                agePath,
                remoteDir + "/" + manifest.ageFileName(),
                manifest.ciphertext().sha256(),
                progress::stepTo);
      }
      if (resumedAt > 0) {
        spec.commandLine()
            .getErr()
            .printf("hpcs: resumed an interrupted upload at byte %d%n", resumedAt);
      }
      shipper.upload(
          manifestPath,
          remoteDir + "/" + manifest.manifestFileName(),
          org.hpcs.common.crypto.Sha256.ofFile(manifestPath).hex(),
          n -> {});
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "shipped %s (%d bytes, sha256 %s verified on the cluster) to %s:%s%n",
          manifest.ageFileName(),
          manifest.ciphertext().size(),
          manifest.ciphertext().sha256(),
          shipper.target(),
          remoteDir);
      out.flush();
    }
    return 0;
  }

  private static void checkLocalCopy(BundleManifest manifest, Path agePath) throws Exception {
    try {
      BundleOpener.verifyCiphertext(manifest, agePath);
    } catch (BundleException e) {
      throw new HpcsException(e.getMessage(), e, "create the bundle again with hpcs bundle create");
    }
  }
}
