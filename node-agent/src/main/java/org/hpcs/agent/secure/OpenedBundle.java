package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Objects;
import org.hpcs.common.api.BundleRef;
import org.hpcs.common.bundle.BundleManifest;

/**
 * One bundle of a job, opened with the job user's rights: the manifest as read and parsed, and the
 * ciphertext as an open file. The agent reads the ciphertext only through this channel, so a file
 * renamed or replaced after the open does not change what is checked and decrypted.
 *
 * @param manifestPath where the manifest was read
 * @param manifestSha256 lower-case hex SHA-256 of the manifest bytes, as the server registered it
 * @param manifest the parsed manifest (signature not yet checked)
 * @param ciphertextPath where the ciphertext was opened
 * @param ciphertext the open ciphertext
 */
record OpenedBundle(
    Path manifestPath,
    String manifestSha256,
    BundleManifest manifest,
    Path ciphertextPath,
    FileChannel ciphertext)
    implements AutoCloseable {

  /** Rejects missing values. */
  OpenedBundle {
    Objects.requireNonNull(manifestPath, "manifestPath must not be null");
    Objects.requireNonNull(manifestSha256, "manifestSha256 must not be null");
    Objects.requireNonNull(manifest, "manifest must not be null");
    Objects.requireNonNull(ciphertextPath, "ciphertextPath must not be null");
    Objects.requireNonNull(ciphertext, "ciphertext must not be null");
  }

  /** Returns the reference the server checks: bundle id and manifest digest. */
  BundleRef ref() {
    return new BundleRef(manifest.bundleId(), manifestSha256);
  }

  @Override
  public void close() throws IOException {
    ciphertext.close();
  }
}
