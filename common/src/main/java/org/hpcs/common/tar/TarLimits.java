package org.hpcs.common.tar;

/**
 * Bounds on the work one archive can cause, so that a hostile archive fails with a clear error
 * instead of exhausting inodes or memory.
 *
 * @param maxEntries the maximum number of entries
 * @param maxNameBytes the maximum length of an entry or link name in UTF-8 bytes
 * @param maxHeaderBytes the maximum header data before one entry (its 512-byte header plus pax or
 *     GNU long-name records), which the tar reader keeps in memory
 */
public record TarLimits(long maxEntries, int maxNameBytes, int maxHeaderBytes) {
  /**
   * Limits for datasets: four million entries, names of up to 4096 bytes (the Linux PATH_MAX) and 1
   * MiB of header data per entry. NOTE: the entry count is a chosen bound, not a measured need, so
   * a site with larger datasets passes its own limits.
   */
  public static final TarLimits DEFAULT = new TarLimits(4_000_000, 4096, 1 << 20);

  /**
   * The smallest header budget: the tar reader also reads the end-of-archive blocks and the rest of
   * a 10 KiB block inside the call that finds no further entry.
   */
  public static final int MIN_HEADER_BYTES = 16 * 1024;

  /** Checks that every limit is positive and the header budget is at least 16 KiB. */
  public TarLimits {
    if (maxEntries < 1 || maxNameBytes < 1 || maxHeaderBytes < MIN_HEADER_BYTES) {
      throw new IllegalArgumentException(
          "tar limits must be positive with a header budget of at least %d bytes: entries %d, name bytes %d, header bytes %d"
              .formatted(MIN_HEADER_BYTES, maxEntries, maxNameBytes, maxHeaderBytes));
    }
  }
}
