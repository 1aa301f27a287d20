package org.hpcs.common.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Recognises Singularity Image Format files by their header magic. */
public final class SifImages {
  /** SIF global headers hold "SIF_MAGIC" and a NUL at byte 32, after the launch script field. */
  private static final int MAGIC_OFFSET = 32;

  private static final byte[] MAGIC = "SIF_MAGIC\0".getBytes(StandardCharsets.US_ASCII);

  private SifImages() {}

  /**
   * Checks that {@code file} is a SIF image.
   *
   * @throws BundleException if it is not, naming the file and how to build one
   */
  public static void check(Path file) throws BundleException, IOException {
    if (!Files.isRegularFile(file)) {
      throw new BundleException(
          "%s is not a SIF image: it is not a regular file; pass the .sif file, or use --data for a directory"
              .formatted(file));
    }
    byte[] header = new byte[MAGIC_OFFSET + MAGIC.length];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(header, 0, header.length);
    }
    boolean sif =
        read == header.length
            && Arrays.equals(header, MAGIC_OFFSET, header.length, MAGIC, 0, MAGIC.length);
    if (!sif) {
      throw new BundleException(
          ("%s is not a SIF image: no SIF_MAGIC at byte %d; build one with apptainer build or"
                  + " siftool, or use --data for other files")
              .formatted(file, MAGIC_OFFSET));
    }
  }
}
