package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.userio.UserFiles;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.agent.userio.UserIoException;
import org.hpcs.common.bundle.BundleException;
import org.hpcs.common.bundle.BundleKind;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.ManifestCodec;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.common.job.JobBundle;
import org.hpcs.common.job.JobBundles;
import org.hpcs.common.job.JobManifestCodec;
import org.hpcs.common.job.JobManifestException;

/**
 * The bundles a job manifest names (docs/job-manifest.md), opened with the job user's rights: one
 * container bundle and any number of data bundles.
 *
 * @param image the container bundle
 * @param data the data bundles, in the order the job manifest lists them
 */
record OpenedBundles(OpenedBundle image, List<OpenedBundle> data) implements AutoCloseable {
  private static final int MAX_MANIFEST = 64 * 1024;

  /** Copies the list. */
  OpenedBundles {
    data = List.copyOf(data);
  }

  /** Returns every bundle, the container bundle first. */
  List<OpenedBundle> all() {
    List<OpenedBundle> all = new ArrayList<>();
    all.add(image);
    all.addAll(data);
    return all;
  }

  /**
   * Parses the job manifest and opens every bundle it names with {@code user}'s rights.
   *
   * @param jobManifest the job manifest's absolute path, which relative paths start from
   * @param bytes the job manifest as the SPANK plugin read it with the user's rights
   * @param where names the job and node for messages
   * @throws PipelineException naming the manifest or file at fault
   */
  static OpenedBundles open(UserIdentity user, Path jobManifest, byte[] bytes, String where)
      throws PipelineException {
    JobBundles files;
    try {
      files = JobManifestCodec.parse(bytes, jobManifest.toString()).resolve(jobManifest);
    } catch (JobManifestException e) {
      throw new PipelineException(e.getMessage() + " (" + where + ")", e);
    }
    List<OpenedBundle> opened = new ArrayList<>();
    try {
      opened.add(openBundle(user, files.image(), BundleKind.CONTAINER, where));
      for (JobBundle data : files.data()) {
        opened.add(openBundle(user, data, BundleKind.DATA, where));
      }
      return new OpenedBundles(opened.getFirst(), opened.subList(1, opened.size()));
    } catch (PipelineException | RuntimeException e) {
      closeAll(opened, e);
      throw e;
    }
  }

  private static OpenedBundle openBundle(
      UserIdentity user, JobBundle files, BundleKind kind, String where) throws PipelineException {
    BundleManifest manifest;
    byte[] bytes = readManifest(user, files.manifest(), where);
    try {
      manifest = ManifestCodec.parse(bytes, files.manifest().toString());
    } catch (BundleException e) {
      throw new PipelineException(e.getMessage() + " (" + where + ")", e);
    }
    checkNameAndKind(files, manifest, kind, where);
    FileChannel ciphertext;
    try {
      ciphertext = UserFiles.openForReading(user, files.ciphertext());
    } catch (IOException | UserIoException e) {
      throw new PipelineException(
          "cannot open bundle file " + files.ciphertext() + " (" + where + "): " + e.getMessage(),
          e);
    }
    String sha256 = Sha256.hex(Sha256.newDigest().digest(bytes));
    return new OpenedBundle(files.manifest(), sha256, manifest, files.ciphertext(), ciphertext);
  }

  private static byte[] readManifest(UserIdentity user, Path path, String where)
      throws PipelineException {
    try {
      return UserFiles.readAll(user, path, MAX_MANIFEST);
    } catch (IOException | UserIoException e) {
      throw new PipelineException(
          "cannot read bundle manifest " + path + " (" + where + "): " + e.getMessage(), e);
    }
  }

  private static void checkNameAndKind(
      JobBundle files, BundleManifest manifest, BundleKind kind, String where)
      throws PipelineException {
    String fileName = JobBundle.name(files.manifest());
    if (!manifest.name().equals(fileName)) {
      throw new PipelineException(
          "bundle manifest %s names the bundle \"%s\", but its file is named for \"%s\" (%s); use the files hpcs bundle create wrote, unrenamed"
              .formatted(files.manifest(), manifest.name(), fileName, where));
    }
    if (manifest.kind() != kind) {
      throw new PipelineException(
          "bundle manifest %s describes a %s bundle, but the job manifest lists it as %s (%s)"
              .formatted(files.manifest(), manifest.kind().wireName(), kind.wireName(), where));
    }
  }

  @Override
  public void close() {
    closeAll(all(), null);
  }

  private static void closeAll(List<OpenedBundle> bundles, Exception failure) {
    for (OpenedBundle bundle : bundles) {
      try {
        bundle.close();
      } catch (IOException e) {
        if (failure != null) {
          failure.addSuppressed(e);
        }
      }
    }
  }
}
