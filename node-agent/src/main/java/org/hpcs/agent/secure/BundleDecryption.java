package org.hpcs.agent.secure;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.io.input.BoundedInputStream;
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
import org.hpcs.common.tar.TarException;
import org.hpcs.common.tar.TarExtractor;

/**
 * Streams checked bundles into the job's encrypted mounts: the container image as one file, each
 * dataset through {@link TarExtractor}. Both read the ciphertext from its start again, through a
 * {@link CiphertextReader} that compares the age header and payload nonce with the {@link
 * CheckedHead} of the digest check. With the same head the payload key is that of the checked file,
 * so any later change to the file fails authentication of the chunk it touches. A ciphertext
 * changed in its head fails before anything is decrypted. The plaintext size is compared with the
 * manifest at the end; the container runtime checks the image's SHA-256 before it starts it. On any
 * failure the partial plaintext is deleted before the exception leaves.
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
      OpenedBundle bundle,
      CheckedHead head,
      List<AgeIdentity> identities,
      ImageTarget target,
      String where)
      throws PipelineException {
    BundleManifest manifest = bundle.manifest();
    String source = bundle.ciphertextPath().toString();
    try (PlaintextFile sif = target.open(IMAGE_FILE)) {
      CiphertextReader ciphertext = new CiphertextReader(bundle.ciphertext(), head);
      try (ReadableByteChannel plaintext = AgeDecryptor.open(ciphertext, source, identities)) {
        ChannelCopier.copy(plaintext, sif, written -> {});
      }
      long size = sif.size();
      sif.commit();
      if (size != manifest.plaintext().size()) {
        Files.deleteIfExists(sif.path());
        throw plaintextMismatch(bundle, size, where);
      }
      return sif.path();
    } catch (CiphertextReader.CiphertextChangedException e) {
      throw changed(bundle, where, e);
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
      CheckedHead head,
      List<AgeIdentity> identities,
      Path target,
      UserIdentity owner,
      String where)
      throws PipelineException {
    String source = bundle.ciphertextPath().toString();
    CiphertextReader ciphertext = new CiphertextReader(bundle.ciphertext(), head);
    try (ReadableByteChannel plaintext = AgeDecryptor.open(ciphertext, source, identities);
        BoundedInputStream in =
            BoundedInputStream.builder()
                .setInputStream(
                    new BufferedInputStream(
                        Channels.newInputStream(plaintext), ChannelCopier.BUFFER_SIZE))
                .get()) {
      TarExtractor.Result result =
          TarExtractor.extract(in, target, () -> finishStream(bundle, in, where));
      giveTo(target, owner);
      return result;
    } catch (CheckFailed e) {
      throw e.failure;
    } catch (CiphertextReader.CiphertextChangedException e) {
      throw changed(bundle, where, e);
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
      if (e.getCause() instanceof CiphertextReader.CiphertextChangedException changed) {
        throw changed(bundle, where, changed);
      }
      throw new PipelineException(
          "extracting dataset " + source + " failed (" + where + "): " + e, e);
    }
  }

  /** Reads the padding after the tar end marker, then checks the plaintext size. */
  private static void finishStream(OpenedBundle bundle, BoundedInputStream in, String where)
      throws IOException {
    in.transferTo(OutputStream.nullOutputStream());
    if (in.getCount() != bundle.manifest().plaintext().size()) {
      throw new CheckFailed(plaintextMismatch(bundle, in.getCount(), where));
    }
  }

  private static PipelineException plaintextMismatch(OpenedBundle bundle, long size, String where) {
    return new PipelineException(
        "decrypted %s holds %d bytes but its manifest %s records %d (%s); the plaintext was deleted: the bundle key or ciphertext does not belong to this manifest"
            .formatted(
                bundle.ciphertextPath(),
                size,
                bundle.manifestPath(),
                bundle.manifest().plaintext().size(),
                where));
  }

  private static PipelineException changed(
      OpenedBundle bundle, String where, CiphertextReader.CiphertextChangedException e) {
    return new PipelineException(
        "bundle file %s changed after its SHA-256 was checked (%s); nothing of it was decrypted and the partial plaintext was deleted: do not modify bundle files while a job uses them, and ship the bundle again"
            .formatted(bundle.ciphertextPath(), where),
        e);
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
