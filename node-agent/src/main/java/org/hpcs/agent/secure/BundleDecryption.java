package org.hpcs.agent.secure;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.List;
import java.util.stream.Stream;
import org.hpcs.agent.job.PipelineException;
import org.hpcs.agent.mount.GocryptfsMount;
import org.hpcs.agent.mount.MountException;
import org.hpcs.agent.mount.PlaintextFile;
import org.hpcs.agent.userio.UserIdentity;
import org.hpcs.common.bundle.BundleManifest;
import org.hpcs.common.crypto.AgeDecryptor;
import org.hpcs.common.crypto.AgeException;
import org.hpcs.common.crypto.AgeIdentity;
import org.hpcs.common.crypto.AgeStreamException;
import org.hpcs.common.crypto.ChannelCopier;
import org.hpcs.common.crypto.Sha256;
import org.hpcs.common.tar.TarException;
import org.hpcs.common.tar.TarExtractor;

/**
 * Streams checked bundles into the job's encrypted mounts: the container image as one file, each
 * dataset through {@link TarExtractor}. Both read the ciphertext from its start again and compare
 * the plaintext's SHA-256 with the signed manifest at the end. That also catches a ciphertext that
 * changed after {@link BundleChecks}: any change fails authentication, and another valid ciphertext
 * for the same key yields another plaintext. On any failure the partial plaintext is deleted before
 * the exception leaves.
 */
final class BundleDecryption {
  /** File name of the decrypted image inside the image mount. */
  static final String IMAGE_FILE = "image.sif";

  /** Creates a new plaintext file for the image, such as {@link GocryptfsMount#openForWrite}. */
  @FunctionalInterface
  interface ImageTarget {
    /** Creates and opens the file {@code name}. */
    PlaintextFile open(String name) throws MountException, IOException;
  }

  private BundleDecryption() {}

  /**
   * Decrypts the container image into a new file {@value #IMAGE_FILE} of {@code target} (the image
   * mount) and returns its path.
   *
   * @throws PipelineException naming the file and what failed
   */
  static Path decryptImage(
      OpenedBundle bundle, List<AgeIdentity> identities, ImageTarget target, String where)
      throws PipelineException {
    BundleManifest manifest = bundle.manifest();
    String source = bundle.ciphertextPath().toString();
    try (PlaintextFile sif = target.open(IMAGE_FILE)) {
      CiphertextReader ciphertext = new CiphertextReader(bundle.ciphertext());
      try (ReadableByteChannel plaintext = AgeDecryptor.open(ciphertext, source, identities)) {
        ChannelCopier.copy(plaintext, sif, written -> {});
      }
      long size = sif.size();
      String digest = sif.commit();
      if (!digest.equals(manifest.plaintext().sha256()) || size != manifest.plaintext().size()) {
        Files.deleteIfExists(sif.path());
        throw plaintextMismatch(bundle, digest, size, where);
      }
      return sif.path();
    } catch (AgeStreamException e) {
      throw decryptionFailed(bundle, e.ageException(), where);
    } catch (AgeException e) {
      throw decryptionFailed(bundle, e, where);
    } catch (MountException | IOException e) {
      throw new PipelineException(
          "writing the decrypted image of " + source + " failed (" + where + "): " + e, e);
    }
  }

  /**
   * Extracts a dataset into {@code target} (missing or empty) and gives every entry to {@code
   * owner}.
   *
   * @throws PipelineException naming the file and what failed
   */
  static TarExtractor.Result extractData(
      OpenedBundle bundle,
      List<AgeIdentity> identities,
      Path target,
      UserIdentity owner,
      String where)
      throws PipelineException {
    String source = bundle.ciphertextPath().toString();
    MessageDigest digest = Sha256.newDigest();
    CiphertextReader ciphertext = new CiphertextReader(bundle.ciphertext());
    try (ReadableByteChannel plaintext = AgeDecryptor.open(ciphertext, source, identities);
        InputStream in =
            new DigestInputStream(
                new BufferedInputStream(
                    Channels.newInputStream(plaintext), ChannelCopier.BUFFER_SIZE),
                digest)) {
      TarExtractor.Result result =
          TarExtractor.extract(in, target, () -> finishStream(bundle, in, digest, where));
      giveTo(target, owner);
      return result;
    } catch (CheckFailed e) {
      throw e.failure;
    } catch (AgeStreamException e) {
      throw decryptionFailed(bundle, e.ageException(), where);
    } catch (AgeException e) {
      throw decryptionFailed(bundle, e, where);
    } catch (TarException e) {
      throw new PipelineException(
          "dataset "
              + source
              + " holds an unsafe or malformed tar stream ("
              + where
              + "): "
              + e.getMessage()
              + "; nothing of it was kept",
          e);
    } catch (IOException e) {
      throw new PipelineException(
          "extracting dataset " + source + " failed (" + where + "): " + e, e);
    }
  }

  /** Reads the padding after the tar end marker, then checks the plaintext digest. */
  private static void finishStream(
      OpenedBundle bundle, InputStream in, MessageDigest digest, String where) throws IOException {
    in.transferTo(OutputStream.nullOutputStream());
    String actual = Sha256.hex(digest.digest());
    if (!actual.equals(bundle.manifest().plaintext().sha256())) {
      throw new CheckFailed(plaintextMismatch(bundle, actual, -1, where));
    }
  }

  private static PipelineException plaintextMismatch(
      OpenedBundle bundle, String digest, long size, String where) {
    return new PipelineException(
        "decrypted %s has SHA-256 %s%s but its manifest %s records %s (%s); the plaintext was deleted: the bundle key or ciphertext does not belong to this manifest"
            .formatted(
                bundle.ciphertextPath(),
                digest,
                size < 0 ? "" : " (" + size + " bytes)",
                bundle.manifestPath(),
                bundle.manifest().plaintext().sha256(),
                where));
  }

  private static PipelineException decryptionFailed(
      OpenedBundle bundle, AgeException e, String where) {
    return new PipelineException(
        "decrypting bundle file "
            + bundle.ciphertextPath()
            + " failed ("
            + where
            + "): "
            + e.getMessage()
            + "; the partial plaintext was deleted",
        e);
  }

  private static void giveTo(Path root, UserIdentity owner) throws IOException {
    try (Stream<Path> tree = Files.walk(root)) {
      for (Path path : (Iterable<Path>) tree::iterator) {
        Files.setAttribute(path, "unix:uid", owner.uid(), LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", owner.gid(), LinkOption.NOFOLLOW_LINKS);
      }
    }
  }

  /** Carries a failed digest check out of the tar completion callback. */
  private static final class CheckFailed extends IOException {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings("serial")
    private final PipelineException failure;

    CheckFailed(PipelineException failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }
  }
}
