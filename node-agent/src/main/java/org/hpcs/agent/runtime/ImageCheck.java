package org.hpcs.agent.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.hpcs.agent.sif.SifException;
import org.hpcs.agent.sif.SifImage;

/**
 * Checks, before a container starts, that the decrypted image is the one submitted (its SHA-256
 * equals the digest in the job's manifest) and that it is a SIF with a squashfs root partition.
 */
public final class ImageCheck {
  private static final int BUFFER_SIZE = 1 << 20;

  private ImageCheck() {}

  /**
   * Hashes and parses {@code image}.
   *
   * @param image the decrypted SIF
   * @param expectedSha256 lower-case hex SHA-256 from the manifest
   * @return the parsed image
   * @throws ContainerException if the digest differs, the file cannot be read or is not a valid SIF
   */
  public static SifImage verify(Path image, String expectedSha256) throws ContainerException {
    String actual = sha256(image);
    boolean same =
        MessageDigest.isEqual(
            actual.getBytes(StandardCharsets.US_ASCII),
            expectedSha256.getBytes(StandardCharsets.US_ASCII));
    if (!same) {
      throw new ContainerException(
          "Image "
              + image
              + " has SHA-256 "
              + actual
              + " but the job's manifest records "
              + expectedSha256
              + ": it is not the image that was submitted, so the step was not started;"
              + " resubmit the job with the intended image");
    }
    try {
      return SifImage.open(image);
    } catch (SifException e) {
      throw new ContainerException("Image " + image + " is not usable: " + e.getMessage(), e);
    }
  }

  /**
   * Returns the lower-case hex SHA-256 of {@code file}.
   *
   * @throws ContainerException if the file cannot be read
   */
  public static String sha256(Path file) throws ContainerException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java runtime provides SHA-256", e);
    }
    byte[] buffer = new byte[BUFFER_SIZE];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new ContainerException("Cannot read image " + file + ": " + e.getMessage(), e);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
