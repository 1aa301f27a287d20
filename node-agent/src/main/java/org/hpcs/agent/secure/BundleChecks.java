package org.hpcs.agent.secure;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.common.bundle.BundleException;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.bundle.Ed25519Keys;
import org.hpcs.common.bundle.ManifestSigner;
import org.hpcs.common.crypto.ChannelCopier;
import org.hpcs.common.crypto.Sha256;

/**
 * The checks every bundle passes before any of its bytes is decrypted: the manifest's signature,
 * then size and SHA-256 of the ciphertext against the manifest. The digest pass also keeps the
 * ciphertext's {@link CheckedHead}, which decryption compares with what it reads.
 *
 * <p>The signature is checked against the key the manifest names. That key is bound to the owner by
 * the server: it accepts a job only for manifests whose SHA-256 equals that of the manifest it
 * registered after checking the signature against the owner's pinned key.
 */
final class BundleChecks {
  private BundleChecks() {}

  /** Checks the manifest's Ed25519 signature. */
  static void verifySignature(OpenedBundle bundle, String where) throws PipelineException {
    BundleManifest manifest = bundle.manifest();
    String source = bundle.manifestPath().toString();
    try {
      ManifestSigner.verify(
          manifest, Ed25519Keys.fromText(manifest.signer().publicKey(), source), source);
    } catch (BundleException e) {
      throw new PipelineException(e.getMessage() + " (" + where + ")", e);
    }
  }

  /**
   * Checks size and SHA-256 of the open ciphertext, reading it from its start.
   *
   * @return the age header and payload nonce among the checked bytes
   */
  static CheckedHead verifyCiphertext(OpenedBundle bundle, String where) throws PipelineException {
    BundleManifest manifest = bundle.manifest();
    try {
      FileChannel channel = bundle.ciphertext();
      long size = channel.size();
      if (size != manifest.ciphertext().size()) {
        throw new PipelineException(
            "bundle file %s is %d bytes but its manifest %s records %d (%s); it is not the file that was registered: ship the bundle again"
                .formatted(
                    bundle.ciphertextPath(),
                    size,
                    bundle.manifestPath(),
                    manifest.ciphertext().size(),
                    where));
      }
      ByteBuffer start = ByteBuffer.allocate(CheckedHead.MAX_LENGTH);
      String actual = sha256(channel, start);
      if (!actual.equals(manifest.ciphertext().sha256())) {
        throw new PipelineException(
            "bundle file %s has SHA-256 %s but its manifest %s records %s (%s); it was altered, damaged or swapped: ship the bundle again"
                .formatted(
                    bundle.ciphertextPath(),
                    actual,
                    bundle.manifestPath(),
                    manifest.ciphertext().sha256(),
                    where));
      }
      return CheckedHead.find(start.flip())
          .orElseThrow(
              () ->
                  new PipelineException(
                      "bundle file %s does not start with a binary age header and payload nonce within %d bytes (%s); bundles are binary age files with few recipients: create the bundle again with hpcs bundle create"
                          .formatted(bundle.ciphertextPath(), CheckedHead.MAX_LENGTH, where)));
    } catch (IOException e) {
      throw new PipelineException(
          "reading bundle file " + bundle.ciphertextPath() + " failed (" + where + "): " + e, e);
    }
  }

  /** Returns the SHA-256 of the whole file and copies its first bytes into {@code start}. */
  private static String sha256(FileChannel channel, ByteBuffer start) throws IOException {
    MessageDigest digest = Sha256.newDigest();
    ByteBuffer buffer = ByteBuffer.allocateDirect(ChannelCopier.BUFFER_SIZE);
    long position = 0;
    int read;
    while ((read = channel.read(buffer, position)) >= 0) {
      buffer.flip();
      if (start.hasRemaining()) {
        ByteBuffer copy = buffer.duplicate();
        copy.limit(copy.position() + Math.min(copy.remaining(), start.remaining()));
        start.put(copy);
      }
      digest.update(buffer);
      buffer.clear();
      position += read;
    }
    return Sha256.hex(digest.digest());
  }
}
