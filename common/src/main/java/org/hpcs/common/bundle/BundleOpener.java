package org.hpcs.common.bundle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.function.LongConsumer;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.AgeStreamException;
import org.hpcs.common.crypto.AtomicFileOutput;
import org.hpcs.common.crypto.ChannelCopier;
import org.hpcs.common.crypto.DigestingWritableChannel;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.common.tar.TarException;
import org.hpcs.common.tar.TarExtractor;

/**
 * The node side of a bundle: checks the ciphertext against a verified manifest before decrypting,
 * then decrypts an image to a file or extracts a dataset into a directory. On any failure nothing
 * decrypted is left behind.
 */
public final class BundleOpener {
  private BundleOpener() {}

  /**
   * Checks size and SHA-256 of the age file against the manifest.
   *
   * @throws BundleException if either differs, naming the file and both values
   */
  public static void verifyCiphertext(BundleManifest manifest, Path ageFile)
      throws BundleException, IOException {
    long size = java.nio.file.Files.size(ageFile);
    if (size != manifest.ciphertext().size()) {
      throw new BundleException(
          "bundle file %s is %d bytes but its manifest records %d; ship the bundle again"
              .formatted(ageFile, size, manifest.ciphertext().size()));
    }
    Sha256.Result actual = Sha256.ofFile(ageFile);
    if (!actual.hex().equals(manifest.ciphertext().sha256())) {
      throw new BundleException(
          "bundle file %s has SHA-256 %s but its manifest records %s: it was altered or damaged; ship the bundle again"
              .formatted(ageFile, actual.hex(), manifest.ciphertext().sha256()));
    }
  }

  /** Verifies the ciphertext, decrypts the image to {@code target} and checks its digest. */
  public static void decryptImage(
      BundleManifest manifest,
      Path ageFile,
      List<AgeIdentity> identities,
      Path target,
      LongConsumer progress)
      throws BundleException, AgeException, IOException {
    requireKind(manifest, BundleKind.CONTAINER);
    verifyCiphertext(manifest, ageFile);
    try (FileChannel in = FileChannel.open(ageFile, StandardOpenOption.READ);
        AtomicFileOutput out = AtomicFileOutput.create(target, false)) {
      DigestingWritableChannel plaintext = new DigestingWritableChannel(out.channel());
      AgeDecryptor.decrypt(in, ageFile.toString(), plaintext, identities, progress);
      checkPlaintext(manifest, plaintext.result(), ageFile);
      out.commit();
    }
  }

  /**
   * Verifies the ciphertext and extracts the dataset into {@code target} (missing or empty). The
   * tar stream's digest is checked at the end; a mismatch removes what was extracted.
   */
  public static TarExtractor.Result extractData(
      BundleManifest manifest, Path ageFile, List<AgeIdentity> identities, Path target)
      throws BundleException, AgeException, TarException, IOException {
    requireKind(manifest, BundleKind.DATA);
    verifyCiphertext(manifest, ageFile);
    MessageDigest digest = Sha256.newDigest();
    try (FileChannel ciphertext = FileChannel.open(ageFile, StandardOpenOption.READ);
        ReadableByteChannel plaintext =
            AgeDecryptor.open(ciphertext, ageFile.toString(), identities);
        InputStream in =
            new DigestInputStream(
                new BufferedInputStream(
                    Channels.newInputStream(plaintext), ChannelCopier.BUFFER_SIZE),
                digest)) {
      return TarExtractor.extract(
          in, target, () -> checkStreamDigest(manifest, in, digest, ageFile));
    } catch (AgeStreamException e) {
      throw e.ageException();
    } catch (MismatchException e) {
      throw e.bundleException;
    }
  }

  /** Reads the padding after the tar end marker, then compares the whole stream's digest. */
  private static void checkStreamDigest(
      BundleManifest manifest, InputStream in, MessageDigest digest, Path ageFile)
      throws IOException {
    in.transferTo(OutputStream.nullOutputStream());
    try {
      checkPlaintext(manifest, new Sha256.Result(Sha256.hex(digest.digest()), -1), ageFile);
    } catch (BundleException e) {
      throw new MismatchException(e);
    }
  }

  /** Carries a digest mismatch out of the tar completion check. */
  private static final class MismatchException extends IOException {
    private final BundleException bundleException;

    MismatchException(BundleException cause) {
      super(cause.getMessage(), cause);
      this.bundleException = cause;
    }
  }

  private static void requireKind(BundleManifest manifest, BundleKind kind) throws BundleException {
    if (manifest.kind() != kind) {
      throw new BundleException(
          "bundle %s is a %s bundle, expected %s"
              .formatted(manifest.bundleId(), manifest.kind().wireName(), kind.wireName()));
    }
  }

  private static void checkPlaintext(BundleManifest manifest, Sha256.Result actual, Path ageFile)
      throws BundleException {
    boolean sizeDiffers = actual.size() >= 0 && actual.size() != manifest.plaintext().size();
    if (!actual.hex().equals(manifest.plaintext().sha256()) || sizeDiffers) {
      throw new BundleException(
          "decrypted %s has SHA-256 %s (%d bytes) but the manifest records %s (%d bytes); the bundle key does not belong to this manifest"
              .formatted(
                  ageFile,
                  actual.hex(),
                  actual.size(),
                  manifest.plaintext().sha256(),
                  manifest.plaintext().size()));
    }
  }
}
